namespace AutoBatch.Beacons.Maps;

/// <summary>
/// An <see cref="ErrorSurface"/> sampled on a square grid over the normalised plane: node (i, j) sits at
/// x = i / (Size - 1) (log C̄_K) and y = j / (Size - 1) (log L_K); each node stands for the cell of side
/// 1 / (Size - 1) around it, clipped to the unit square.
/// </summary>
public sealed record SurfaceGrid
{
    /// <summary>Nodes per axis.</summary>
    public required int Size { get; init; }

    /// <summary>The normalisation that maps the grid to (C̄_K, L_K).</summary>
    public required LogNormalisation Normalisation { get; init; }

    /// <summary>Interpolated test error (fraction), <c>Values[j][i]</c>: row j along L_K, column i along C̄_K.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Values { get; init; }

    /// <summary>Side of a cell in normalised units.</summary>
    public double CellSize => 1.0 / (Size - 1);

    /// <summary>Normalised coordinate of node <paramref name="index"/> on a grid of <paramref name="size"/> nodes.</summary>
    public static double Node(int index, int size) => (double)index / (size - 1);

    /// <summary>Smallest value on the grid.</summary>
    public double Minimum() => Values.Min(row => row.Min());

    /// <summary>Largest value on the grid.</summary>
    public double Maximum() => Values.Max(row => row.Max());
}
