namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>
/// An independent, deliberately plain implementation of the interpolation the map uses, to check ErrorSurface
/// against: normalise ln C̄_K and ln L_K to [0, 1] over the points, take the five nearest, weight by 1/d².
/// </summary>
internal static class ReferenceIdw
{
    public static double Evaluate(IReadOnlyList<(double C, double L, double Error)> points, double c, double l)
    {
        double minC = points.Min(p => Math.Log(p.C)), maxC = points.Max(p => Math.Log(p.C));
        double minL = points.Min(p => Math.Log(p.L)), maxL = points.Max(p => Math.Log(p.L));
        double spanC = maxC > minC ? maxC - minC : 1, spanL = maxL > minL ? maxL - minL : 1;
        double qx = (Math.Log(c) - minC) / spanC, qy = (Math.Log(l) - minL) / spanL;
        var nearest = points
            .Select(p => (Distance: Math.Sqrt(Math.Pow((Math.Log(p.C) - minC) / spanC - qx, 2) + Math.Pow((Math.Log(p.L) - minL) / spanL - qy, 2)), p.Error))
            .OrderBy(t => t.Distance)
            .Take(5)
            .ToArray();
        if (nearest[0].Distance < 1e-12)
        {
            return nearest[0].Error;
        }

        double weights = nearest.Sum(t => 1 / (t.Distance * t.Distance));
        return nearest.Sum(t => t.Error / (t.Distance * t.Distance)) / weights;
    }
}
