namespace AutoBatch.Controller.Comparison;

/// <summary>A mean ± sample std over seeds, as the report prints it; null members where undefined (JSON has no NaN).</summary>
/// <param name="Count">Values the statistics are over.</param>
/// <param name="Mean">Mean (null with no values).</param>
/// <param name="Std">Sample standard deviation (null with fewer than two values).</param>
public sealed record MeanStd(int Count, double? Mean, double? Std)
{
    /// <summary>The mean ± std of <paramref name="values"/>.</summary>
    public static MeanStd Of(IReadOnlyCollection<double> values)
    {
        SampleStatistics s = SampleStatistics.Of(values);
        return new MeanStd(s.Count, s.Count == 0 ? null : s.Mean, s.Std);
    }
}
