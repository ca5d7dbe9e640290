namespace AutoBatch.Engine.Probe;

/// <summary>Outcome of a probe.</summary>
public enum ProbeStatus
{
    /// <summary>F̃ was finite and non-zero; all measures are valid.</summary>
    Ok = 0,

    /// <summary>F̃ was zero (all per-sample gradients vanished): rank 0, no condition number.</summary>
    Zero = 1,

    /// <summary>F̃ or the gradients had non-finite entries; the measures are not valid.</summary>
    NonFinite = 2,
}
