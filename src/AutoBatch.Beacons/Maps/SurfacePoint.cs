namespace AutoBatch.Beacons.Maps;

/// <summary>One data point of an <see cref="ErrorSurface"/>: a configuration's measures and its test error.</summary>
/// <param name="Label">Configuration label, e.g. <c>s128-lr0.05</c>.</param>
/// <param name="CumulativeCondition">C̄_K (&gt; 0).</param>
/// <param name="CumulativeEnergy">L_K (&gt; 0).</param>
/// <param name="Error">Test error as a fraction in [0, 1].</param>
public sealed record SurfacePoint(string Label, double CumulativeCondition, double CumulativeEnergy, double Error)
{
    /// <summary>The point's measures.</summary>
    public MeasurePoint Measures => new(CumulativeCondition, CumulativeEnergy);
}
