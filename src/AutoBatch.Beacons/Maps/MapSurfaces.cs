using AutoBatch.Engine.Data;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The error surface and optimum region of a map at any epoch of its grid, built exactly as the map's stored
/// trajectory is (configurations' measures at that epoch paired with their final errors, see
/// <see cref="RegionSnapshot"/>), but for every epoch rather than only the fractions of
/// <see cref="EpochFractions.Trajectory"/>. A controller that decides at every epoch boundary needs this.
/// Built lazily per epoch and cached; thread-safe for readers.
/// </summary>
public sealed class MapSurfaces
{
    private readonly IReadOnlyList<BeaconConfiguration> _configurations;
    private readonly int _epochs;
    private readonly Dictionary<int, (ErrorSurface Surface, OptimumRegion Region)?> _cache = [];
    private readonly Lock _lock = new();

    /// <summary>Prepares the surfaces of <paramref name="map"/>.</summary>
    public MapSurfaces(BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        // Runs that ended at chance accuracy without a non-finite loss ("silent divergence") say where training fails,
        // not where a configuration performs well; like diverged runs they are no data points (CollapseRule). The flag
        // is re-derived here so that maps written before BeaconMapBuilder set it are read the same way.
        double collapse = CollapseRule.Threshold(map.Grid.Data);
        _configurations = BeaconConfiguration.Group(map.Runs.Select(r => r with { Collapsed = CollapseRule.IsCollapsed(r, collapse) }));
        _epochs = map.Grid.Epochs;
    }

    /// <summary>How far below chance error a run must end to be a data point (0.05 = 5 points).</summary>
    public const double CollapseMargin = CollapseRule.Margin;

    /// <summary>Epochs of the map's grid.</summary>
    public int Epochs => _epochs;

    /// <summary>
    /// The map's configurations (<see cref="BeaconConfiguration.Group"/>, ordered by batch size then learning rate), with
    /// collapsed runs left out by <see cref="CollapseRule"/> as the surfaces leave them out.
    /// </summary>
    public IReadOnlyList<BeaconConfiguration> Configurations => _configurations;

    /// <summary>
    /// The surface (measures at 1-based <paramref name="epoch"/> → final error) and its optimum region, or null when no
    /// configuration has usable measures at that epoch.
    /// </summary>
    public (ErrorSurface Surface, OptimumRegion Region)? At(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epoch, _epochs);
        lock (_lock)
        {
            if (!_cache.TryGetValue(epoch, out var entry))
            {
                SurfacePoint[] points = _configurations.Select(c => c.PointAt(epoch)).OfType<SurfacePoint>().ToArray();
                if (points.Length > 0)
                {
                    var surface = new ErrorSurface(points);
                    entry = (surface, OptimumRegion.FromSurface(surface.ToGrid()));
                }

                _cache[epoch] = entry;
            }

            return entry;
        }
    }

    /// <summary>The map epoch corresponding to the end of <paramref name="epoch"/> of a run with <paramref name="runEpochs"/> epochs.</summary>
    public int MapEpoch(int epoch, int runEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runEpochs, 1);
        return EpochFractions.ToEpoch(Math.Clamp((double)epoch / runEpochs, 1e-9, 1), _epochs);
    }
}
