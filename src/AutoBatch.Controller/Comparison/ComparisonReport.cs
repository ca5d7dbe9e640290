namespace AutoBatch.Controller.Comparison;

/// <summary><c>report.json</c>: the comparison with every schedule's statistics and every finished run.</summary>
public sealed record ComparisonReport
{
    /// <summary>Format version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>UTC time the report was built (ISO 8601).</summary>
    public required string Generated { get; init; }

    /// <summary>The comparison.</summary>
    public required CompareSpec Spec { get; init; }

    /// <summary>Model (from the map, or the runs when the map is unavailable).</summary>
    public string? Model { get; init; }

    /// <summary>Data set.</summary>
    public string? Data { get; init; }

    /// <summary>What the test errors are tested against.</summary>
    public required ReferenceSample Reference { get; init; }

    /// <summary>Per schedule, in the spec's order.</summary>
    public required IReadOnlyList<ScheduleResult> Schedules { get; init; }

    /// <summary>The finished runs.</summary>
    public required IReadOnlyList<RunResult> Runs { get; init; }

    /// <summary>Runs not finished yet, each with what is there (e.g. "interrupted after epoch 3 of 15").</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>
    /// The machines the finished runs trained on ("unknown" for a summary that predates the record). With more than
    /// one (a known machine beside "unknown" counts), the schedules' times are left out (<see cref="TimesComparable"/>):
    /// a time is compared only with times measured on the same machine; each run's own time stays in <see cref="Runs"/>.
    /// </summary>
    public IReadOnlyList<string> Machines { get; init; } = [];

    /// <summary>True when the finished runs do not come from different machines, so the schedules' times can be compared.</summary>
    public bool TimesComparable { get; init; } = true;

    /// <summary>Caveats the reader needs (e.g. a reference from the map with other epochs).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The fractions of the travelling history (paper, Fig. 5 caption).</summary>
    public static IReadOnlyList<double> HistoryFractions { get; } = [0.05, 0.2, 0.4, 0.6, 0.8, 1.0];
}
