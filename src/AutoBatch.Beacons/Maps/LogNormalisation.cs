namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The map from (C̄_K, L_K) to the unit square used for interpolation: each axis is the natural logarithm of the
/// measure, scaled so that the smallest and largest value over the (non-diverged) beacon points become 0 and 1.
/// This is the normalisation of the reference code's <c>plot_multiple_models.m</c> (docs/DESIGN.md, 'Beacon maps'):
/// both measures span orders of magnitude (paper, Fig. 3 uses log axes), and without it the axis with the larger range
/// would dominate the nearest-neighbour distances.
/// </summary>
public sealed record LogNormalisation
{
    /// <summary>Smallest ln C̄_K over the points.</summary>
    public required double MinLogCondition { get; init; }

    /// <summary>Largest ln C̄_K over the points.</summary>
    public required double MaxLogCondition { get; init; }

    /// <summary>Smallest ln L_K over the points.</summary>
    public required double MinLogEnergy { get; init; }

    /// <summary>Largest ln L_K over the points.</summary>
    public required double MaxLogEnergy { get; init; }

    /// <summary>
    /// The normalisation spanning <paramref name="points"/>. All points must be usable
    /// (<see cref="MeasurePoint.IsUsable"/>) and there must be at least one. An axis on which all points agree is
    /// given a span of 1 (a factor of e) centred on their value.
    /// </summary>
    public static LogNormalisation Spanning(IEnumerable<MeasurePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        double minC = double.PositiveInfinity, maxC = double.NegativeInfinity;
        double minL = double.PositiveInfinity, maxL = double.NegativeInfinity;
        int count = 0;
        foreach (MeasurePoint p in points)
        {
            if (!p.IsUsable)
            {
                throw new ArgumentException($"C̄_K = {p.CumulativeCondition} and L_K = {p.CumulativeEnergy} must both be finite and > 0.", nameof(points));
            }

            double c = Math.Log(p.CumulativeCondition), l = Math.Log(p.CumulativeEnergy);
            minC = Math.Min(minC, c);
            maxC = Math.Max(maxC, c);
            minL = Math.Min(minL, l);
            maxL = Math.Max(maxL, l);
            count++;
        }

        if (count == 0)
        {
            throw new ArgumentException("At least one point is needed.", nameof(points));
        }

        // A degenerate axis (every point shares one value, e.g. a single configuration) gets a unit span in log
        // units centred on that value, so the points sit in the middle of the square, not on its edge.
        if (maxC == minC)
        {
            (minC, maxC) = (minC - 0.5, maxC + 0.5);
        }

        if (maxL == minL)
        {
            (minL, maxL) = (minL - 0.5, maxL + 0.5);
        }

        return new LogNormalisation { MinLogCondition = minC, MaxLogCondition = maxC, MinLogEnergy = minL, MaxLogEnergy = maxL };
    }

    /// <summary>Normalised x of a C̄_K value (0 and 1 at the extremes of the points; outside [0, 1] beyond them).</summary>
    public double X(double condition) => (Math.Log(condition) - MinLogCondition) / Span(MinLogCondition, MaxLogCondition);

    /// <summary>Normalised y of an L_K value.</summary>
    public double Y(double energy) => (Math.Log(energy) - MinLogEnergy) / Span(MinLogEnergy, MaxLogEnergy);

    /// <summary>C̄_K at normalised x (inverse of <see cref="X"/>).</summary>
    public double CumulativeCondition(double x) => Math.Exp(MinLogCondition + x * Span(MinLogCondition, MaxLogCondition));

    /// <summary>L_K at normalised y (inverse of <see cref="Y"/>).</summary>
    public double CumulativeEnergy(double y) => Math.Exp(MinLogEnergy + y * Span(MinLogEnergy, MaxLogEnergy));

    /// <summary>The point at normalised (x, y).</summary>
    public MeasurePoint ToMeasures(double x, double y) => new(CumulativeCondition(x), CumulativeEnergy(y));

    // Spanning never produces an empty axis; one read from a hand-edited file is given a unit span so the
    // normalisation stays invertible.
    private static double Span(double min, double max) => max > min ? max - min : 1.0;
}
