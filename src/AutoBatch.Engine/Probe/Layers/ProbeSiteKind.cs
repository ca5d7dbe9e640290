namespace AutoBatch.Engine.Probe.Layers;

/// <summary>The layer types whose per-sample gradients the probe decomposes.</summary>
internal enum ProbeSiteKind
{
    /// <summary><c>Linear</c>: weight and bias.</summary>
    Linear,

    /// <summary><c>Conv2d</c>: weight and bias, per output position.</summary>
    Conv,

    /// <summary><c>BatchNorm2d</c>: γ and β, path-wise in training mode.</summary>
    BatchNorm,
}
