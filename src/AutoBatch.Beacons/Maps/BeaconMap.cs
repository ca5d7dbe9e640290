using AutoBatch.Beacons.Grid;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// A beacon map (docs/DESIGN.md, 'Beacon maps'): the grid, every run with its per-epoch trajectory, and the data
/// derived from them. It is stored as versioned JSON by <see cref="BeaconMapFile"/> and built by
/// <see cref="BeaconMapBuilder"/>.
/// </summary>
public sealed record BeaconMap
{
    /// <summary>
    /// Schema version written by this build; <see cref="BeaconMapFile.Read"/> refuses newer ones. Version 1 has grown
    /// only by optional fields that older readers skip and this reader defaults when absent
    /// (<see cref="BeaconRun.Collapsed"/>, <see cref="DerivedData.CollapseThreshold"/>,
    /// <see cref="DerivedData.CollapsedRuns"/>, <see cref="DerivedData.Relations"/>,
    /// <see cref="BestBeacon.CollapsedSeeds"/>), so it is still 1.
    /// </summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Value of <see cref="Kind"/> that identifies a beacon map file.</summary>
    public const string KindName = "autobatch-beacon-map";

    /// <summary>Schema version of the file.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Always <see cref="KindName"/>.</summary>
    public string Kind { get; init; } = KindName;

    /// <summary>Where the map came from.</summary>
    public required Provenance Provenance { get; init; }

    /// <summary>The grid the runs belong to.</summary>
    public required GridSpec Grid { get; init; }

    /// <summary>All runs, diverged ones included, ordered by id.</summary>
    public required IReadOnlyList<BeaconRun> Runs { get; init; }

    /// <summary>Surface, optimum region and its trajectory, best beacons, early prediction.</summary>
    public required DerivedData Derived { get; init; }
}
