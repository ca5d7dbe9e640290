namespace AutoBatch.Engine.Training;

/// <summary>Element type of a state tensor.</summary>
public enum StateDType
{
    /// <summary>IEEE float32.</summary>
    Float32 = 0,

    /// <summary>Signed 64-bit integer (BatchNorm's num_batches_tracked).</summary>
    Int64 = 1,
}
