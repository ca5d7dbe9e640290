namespace AutoBatch.Controller.Comparison;

/// <summary>One finished run of a comparison, as the report lists it.</summary>
public sealed record RunResult
{
    /// <summary>Run id (<see cref="CompareRun.Id"/>).</summary>
    public required string Id { get; init; }

    /// <summary>Schedule name.</summary>
    public required string Schedule { get; init; }

    /// <summary>Seed.</summary>
    public required long Seed { get; init; }

    /// <summary>True when the run ended diverged (left out of the schedule's statistics).</summary>
    public required bool Diverged { get; init; }

    /// <summary>Final test error (fraction).</summary>
    public required double TestError { get; init; }

    /// <summary>Parameter updates.</summary>
    public required long Iterations { get; init; }

    /// <summary>Training time: the sum of the epochs' train seconds (steps including the probe).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>CPU seconds of the training steps (<see cref="Runs.RunSummary.TrainCpuSeconds"/>; 0 when not recorded).</summary>
    public double TrainCpuSeconds { get; init; }

    /// <summary>Probe time: the sum of the epochs' probe seconds (part of <see cref="TrainSeconds"/>).</summary>
    public required double ProbeSeconds { get; init; }

    /// <summary>Training samples per second.</summary>
    public required double SamplesPerSecond { get; init; }

    /// <summary>Batch-size changes.</summary>
    public required int BatchSizeChanges { get; init; }

    /// <summary>Rollbacks after divergences.</summary>
    public required int Rollbacks { get; init; }

    /// <summary>Epochs recorded.</summary>
    public required int Epochs { get; init; }

    /// <summary>The machine the run trained on (from its summary; null when the summary predates it).</summary>
    public string? Machine { get; init; }
}
