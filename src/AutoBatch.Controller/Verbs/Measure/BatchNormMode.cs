namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>Which statistics BatchNorm layers normalise with while F̃ is measured.</summary>
public enum BatchNormMode
{
    /// <summary>The batch's own statistics, as in a training step (the probe's setting during training).</summary>
    Train = 0,

    /// <summary>The running statistics stored with the weights, as at test time; samples are then not coupled.</summary>
    Eval = 1,
}
