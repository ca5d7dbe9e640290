namespace AutoBatch.Bench;

/// <summary>Order statistics of a list of timings.</summary>
internal static class Summary
{
    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    /// <summary>Linear-interpolated quantile (numpy's default), NaN for an empty list.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();
}
