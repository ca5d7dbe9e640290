namespace AutoBatch.Controller.Comparison;

/// <summary>Count, mean and sample (n − 1) variance of a set of values, accumulated in float64.</summary>
/// <param name="Count">Number of values.</param>
/// <param name="Mean">Arithmetic mean (NaN for no values).</param>
/// <param name="Variance">Sample variance with n − 1 in the denominator; null with fewer than two values.</param>
public sealed record SampleStatistics(int Count, double Mean, double? Variance)
{
    /// <summary>Sample standard deviation, the paper's "± std"; null with fewer than two values.</summary>
    public double? Std => Variance is { } v ? Math.Sqrt(v) : null;

    /// <summary>The statistics of <paramref name="values"/> (two passes, so the variance has no cancellation).</summary>
    public static SampleStatistics Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new SampleStatistics(0, double.NaN, null);
        }

        // A constant sample is exactly constant: its floating-point mean (3 x 0.1 / 3 = 0.10000000000000002) would
        // otherwise leave a variance of ~1e-34 and an absurd Welch p-value instead of "undefined".
        double first = values.First();
        if (values.All(v => v == first))
        {
            return new SampleStatistics(values.Count, first, values.Count > 1 ? 0 : null);
        }

        double mean = values.Sum() / values.Count;
        double? variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : null;
        return new SampleStatistics(values.Count, mean, variance);
    }
}
