namespace AutoBatch.Controller.Comparison;

/// <summary>One schedule's row of the comparison report; statistics are over its finished, non-diverged seeds.</summary>
public sealed record ScheduleResult
{
    /// <summary>Schedule name.</summary>
    public required string Schedule { get; init; }

    /// <summary>Seeds the comparison asks for.</summary>
    public required int Seeds { get; init; }

    /// <summary>Runs finished (diverged ones included).</summary>
    public required int Finished { get; init; }

    /// <summary>Runs that ended diverged.</summary>
    public required int Diverged { get; init; }

    /// <summary>True for the schedule the others are tested against.</summary>
    public required bool IsReference { get; init; }

    /// <summary>Final test error (fraction), mean ± std.</summary>
    public required MeanStd TestError { get; init; }

    /// <summary>Welch's test of this schedule's errors against the reference's (t &gt; 0: higher error); null for the reference itself.</summary>
    public WelchResult? VersusReference { get; init; }

    /// <summary>Training seconds, mean ± std.</summary>
    public required MeanStd TrainSeconds { get; init; }

    /// <summary>CPU seconds of the training steps over the finished seeds (empty when a run did not record them).</summary>
    public MeanStd TrainCpuSeconds { get; init; } = MeanStd.Of([]);

    /// <summary>Probe seconds, mean ± std.</summary>
    public required MeanStd ProbeSeconds { get; init; }

    /// <summary>Parameter updates, mean ± std.</summary>
    public required MeanStd Iterations { get; init; }

    /// <summary>Mean iterations over the reference's, minus 1 (−0.25 = 25% fewer), when both are known.</summary>
    public double? IterationsVersusReference { get; init; }

    /// <summary>Training samples per second, mean ± std.</summary>
    public required MeanStd SamplesPerSecond { get; init; }

    /// <summary>Batch-size changes, mean ± std.</summary>
    public required MeanStd BatchSizeChanges { get; init; }

    /// <summary>The travelling history: (C̄_K, L_K) at 5, 20, 40, 60, 80 and 100% of the epochs.</summary>
    public required IReadOnlyList<HistoryPoint> History { get; init; }
}
