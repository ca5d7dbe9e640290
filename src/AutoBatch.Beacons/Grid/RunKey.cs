using System.Globalization;

namespace AutoBatch.Beacons.Grid;

/// <summary>One configuration of a beacon grid.</summary>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Initial learning rate (step-decayed during the run).</param>
/// <param name="Seed">Seed of weights, data order and augmentation.</param>
public sealed record RunKey(int BatchSize, double LearningRate, long Seed)
{
    /// <summary>Stable file-name-safe id, e.g. <c>b0128-lr0.05-s1</c>.</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"b{BatchSize:D4}-lr{LearningRate:R}-s{Seed}");

    /// <summary>The paper's configuration label, e.g. <c>s128-lr0.05</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"s{BatchSize}-lr{LearningRate:R}");
}
