namespace AutoBatch.Engine.Training;

/// <summary>SGD hyper-parameters fixed for a run (the learning rate is given per step).</summary>
/// <param name="Momentum">Momentum in [0, 1); paper and reference code: 0.9.</param>
/// <param name="WeightDecay">L2 weight decay added to the gradient; reference code: 1e-4.</param>
/// <param name="Nesterov">Nesterov momentum (reference code: true).</param>
public sealed record SgdSettings(double Momentum = 0.9, double WeightDecay = 1e-4, bool Nesterov = true)
{
    /// <summary>The paper's reference-code defaults.</summary>
    public static SgdSettings Paper { get; } = new();
}
