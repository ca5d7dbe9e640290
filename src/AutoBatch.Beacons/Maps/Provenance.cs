namespace AutoBatch.Beacons.Maps;

/// <summary>Where a beacon map came from.</summary>
public sealed record Provenance
{
    /// <summary>The command line that produced the map (or the merge).</summary>
    public required string Command { get; init; }

    /// <summary>git commit of the code (or "unknown").</summary>
    public required string Commit { get; init; }

    /// <summary>UTC time the map was written, ISO 8601.</summary>
    public required string Date { get; init; }

    /// <summary>Machine description: CPU model, cores, OS.</summary>
    public required string Machine { get; init; }

    /// <summary>The engine the runs trained on (null in maps written before it was recorded).</summary>
    public string? Engine { get; init; }

    /// <summary>libtorch intra-op threads per run.</summary>
    public required int ThreadsPerRun { get; init; }

    /// <summary>Runs executed at once.</summary>
    public required int ParallelRuns { get; init; }

    /// <summary>Sum of the runs' wall seconds.</summary>
    public required double RunSeconds { get; init; }

    /// <summary>Wall seconds of the grid from first start to map (across restarts: of the last session).</summary>
    public required double WallSeconds { get; init; }
}
