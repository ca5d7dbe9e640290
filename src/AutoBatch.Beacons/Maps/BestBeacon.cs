namespace AutoBatch.Beacons.Maps;

/// <summary>One of the best configurations of a map (paper, Fig. 1a/3: "the top five configurations").</summary>
public sealed record BestBeacon
{
    /// <summary>1 for the lowest mean final test error.</summary>
    public required int Rank { get; init; }

    /// <summary>Configuration label, e.g. <c>s32-lr0.05</c>.</summary>
    public required string Label { get; init; }

    /// <summary>Mini-batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Initial learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Seeds that finished (the statistics are over these).</summary>
    public required int Seeds { get; init; }

    /// <summary>Seeds of this configuration that diverged (excluded from the statistics).</summary>
    public required int DivergedSeeds { get; init; }

    /// <summary>
    /// Seeds that finished at chance level without diverging (<see cref="BeaconRun.Collapsed"/>), excluded from the
    /// statistics; 0 in maps written before collapse detection.
    /// </summary>
    public int CollapsedSeeds { get; init; }

    /// <summary>Mean final test error over the finished seeds (fraction).</summary>
    public required double MeanTestError { get; init; }

    /// <summary>Sample standard deviation of the final test error (0 with one seed), as in the paper's "mean ± std".</summary>
    public required double StdTestError { get; init; }

    /// <summary>Final C̄_K and L_K (geometric means over the seeds, i.e. the mean in the log plane).</summary>
    public required MeasurePoint Measures { get; init; }

    /// <summary>Mean wall seconds of a run.</summary>
    public required double MeanWallSeconds { get; init; }
}
