namespace AutoBatch.Engine.Training;

/// <summary>Which named state of a network.</summary>
public enum StateSet
{
    /// <summary>Parameters and buffers, in PyTorch state_dict order and names.</summary>
    Model = 0,

    /// <summary>SGD momentum buffers, named <c>&lt;parameter&gt;.momentum_buffer</c>.</summary>
    Optimiser = 1,
}
