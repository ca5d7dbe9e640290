namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The optimum region of a beacon map: "the level set with minimum error value in the contour plot" (paper, Sec. 1,
/// Fig. 1b). The reference code (<c>plot_multiple_models.m</c>; docs/DESIGN.md, 'Beacon maps') draws the interpolated
/// surface with 30 evenly spaced contour levels between its minimum and maximum, so its lowest level set is the set of
/// grid cells whose interpolated error is at most <c>min + (max - min) / 30</c>. This record stores exactly that:
/// <see cref="Threshold"/> = <see cref="MinimumError"/> + (<see cref="MaximumError"/> - <see cref="MinimumError"/>)
/// / <see cref="Levels"/>, and the region is every node of <see cref="Surface"/> whose value is ≤ the threshold
/// (with the cell of side 1 / (Size - 1) around it). A surface flat to within <see cref="FlatTolerance"/> is optimal
/// everywhere.
/// </summary>
/// <remarks>
/// Tying the band to the surface's range rather than to a fixed error margin keeps the definition scale-free across
/// data sets (0.3% error on MNIST, 23% on CIFAR-100). The region may consist of several patches; the
/// <see cref="Centroid"/> is then the mean of all its cells and may fall between them, so a controller should steer
/// with <see cref="DistanceToRegion"/>, which is 0 inside any patch.
/// </remarks>
public sealed record OptimumRegion
{
    /// <summary>Contour levels of the reference plot; the region is the lowest of them.</summary>
    public const int DefaultLevels = 30;

    /// <summary>
    /// A surface whose values differ by no more than this (an error fraction) is flat: the interpolation of equal
    /// errors differs from them only by rounding, and the whole grid is then the region.
    /// </summary>
    public const double FlatTolerance = 1e-12;

    /// <summary>The interpolated surface the region was cut from.</summary>
    public required SurfaceGrid Surface { get; init; }

    /// <summary>Number of contour levels between the surface's minimum and maximum.</summary>
    public required int Levels { get; init; }

    /// <summary>Smallest interpolated error on the grid.</summary>
    public required double MinimumError { get; init; }

    /// <summary>Largest interpolated error on the grid.</summary>
    public required double MaximumError { get; init; }

    /// <summary>Error level bounding the region: nodes with interpolated error ≤ this are inside.</summary>
    public required double Threshold { get; init; }

    /// <summary>Number of grid nodes inside the region.</summary>
    public required int Cells { get; init; }

    /// <summary>Where the surface is lowest (the first such node in row-major order).</summary>
    public required MeasurePoint Minimum { get; init; }

    /// <summary>Mean position of the region's nodes (mean in normalised log coordinates, shown in real units).</summary>
    public required MeasurePoint Centroid { get; init; }

    /// <summary>Lower-left corner of the region's bounding box (smallest C̄_K and L_K of its cells).</summary>
    public required MeasurePoint Lower { get; init; }

    /// <summary>Upper-right corner of the region's bounding box.</summary>
    public required MeasurePoint Upper { get; init; }

    /// <summary>Cuts the lowest of <paramref name="levels"/> contour levels out of <paramref name="surface"/>.</summary>
    public static OptimumRegion FromSurface(SurfaceGrid surface, int levels = DefaultLevels)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        double min = surface.Minimum(), max = surface.Maximum();
        double threshold = max - min <= FlatTolerance ? max : min + (max - min) / levels;
        int n = surface.Size;
        double half = surface.CellSize / 2;

        int cells = 0, minI = 0, minJ = 0;
        double sumX = 0, sumY = 0;
        double lowX = double.PositiveInfinity, lowY = double.PositiveInfinity, highX = double.NegativeInfinity, highY = double.NegativeInfinity;
        bool minFound = false;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double v = surface.Values[j][i];
                if (!minFound && v == min)
                {
                    (minI, minJ, minFound) = (i, j, true);
                }

                if (v > threshold)
                {
                    continue;
                }

                double x = SurfaceGrid.Node(i, n), y = SurfaceGrid.Node(j, n);
                cells++;
                sumX += x;
                sumY += y;
                lowX = Math.Min(lowX, Math.Max(x - half, 0));
                lowY = Math.Min(lowY, Math.Max(y - half, 0));
                highX = Math.Max(highX, Math.Min(x + half, 1));
                highY = Math.Max(highY, Math.Min(y + half, 1));
            }
        }

        LogNormalisation norm = surface.Normalisation;
        return new OptimumRegion
        {
            Surface = surface,
            Levels = levels,
            MinimumError = min,
            MaximumError = max,
            Threshold = threshold,
            Cells = cells,
            Minimum = norm.ToMeasures(SurfaceGrid.Node(minI, n), SurfaceGrid.Node(minJ, n)),
            Centroid = norm.ToMeasures(sumX / cells, sumY / cells),
            Lower = norm.ToMeasures(lowX, lowY),
            Upper = norm.ToMeasures(highX, highY),
        };
    }

    /// <summary>True when grid node (i, j) (column along C̄_K, row along L_K) belongs to the region.</summary>
    public bool Contains(int i, int j) => Surface.Values[j][i] <= Threshold;

    /// <summary>True when (C̄_K, L_K) lies in a cell of the region.</summary>
    public bool Contains(double condition, double energy) => DistanceToRegion(condition, energy) == 0;

    /// <summary>
    /// Euclidean distance from (C̄_K, L_K) to the nearest cell of the region, in the normalised log coordinates of
    /// <see cref="Surface"/> (1 = the beacons' full range of ln C̄_K or ln L_K); 0 inside. Points outside the beacons'
    /// range are allowed and measured the same way.
    /// </summary>
    public double DistanceToRegion(double condition, double energy)
    {
        if (!new MeasurePoint(condition, energy).IsUsable)
        {
            throw new ArgumentOutOfRangeException(nameof(condition), $"C̄_K = {condition} and L_K = {energy} must both be finite and > 0.");
        }

        return DistanceToRegionNormalised(Surface.Normalisation.X(condition), Surface.Normalisation.Y(energy));
    }

    /// <summary><see cref="DistanceToRegion"/> for a point given in normalised coordinates.</summary>
    public double DistanceToRegionNormalised(double x, double y)
    {
        int n = Surface.Size;
        double half = Surface.CellSize / 2;
        double best = double.PositiveInfinity;
        for (int j = 0; j < n; j++)
        {
            double cy = SurfaceGrid.Node(j, n);
            double dy = Gap(y, Math.Max(cy - half, 0), Math.Min(cy + half, 1));
            if (dy >= best)
            {
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                if (!Contains(i, j))
                {
                    continue;
                }

                double cx = SurfaceGrid.Node(i, n);
                double dx = Gap(x, Math.Max(cx - half, 0), Math.Min(cx + half, 1));
                best = Math.Min(best, Math.Sqrt(dx * dx + dy * dy));
                if (best == 0)
                {
                    return 0;
                }
            }
        }

        return best;
    }

    // Distance from v to the interval [low, high] (0 inside).
    private static double Gap(double v, double low, double high) => v < low ? low - v : v > high ? v - high : 0;
}
