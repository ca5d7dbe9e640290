using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Settings of a <see cref="ScheduleComparison"/>: the schedules and seeds to compare, the beacon map their runs read,
/// the runs' length and where the comparison goes.
/// </summary>
public sealed class ScheduleComparisonOptions
{
    /// <summary>
    /// Folder of the comparison: compare.json, one runs/&lt;schedule&gt;-s&lt;seed&gt;/ folder per run (the records of
    /// <see cref="AutoBatchTrainer"/>), report.md, report.json and the plots. Required; comparing again in the same
    /// folder with the same settings resumes.
    /// </summary>
    public required string OutputFolder { get; init; }

    /// <summary>Path of a beacon map of the same model on the same data (written by <see cref="BeaconGrid"/>). Required; a map of another architecture is refused.</summary>
    public required string BeaconMap { get; init; }

    /// <summary>The schedules, in report order. Required, at least one, no two alike; <see cref="Schedule.Best"/> is the reference the others are tested against.</summary>
    public required IReadOnlyList<Schedule> Schedules { get; init; }

    /// <summary>Seeds (default 1, 2, 3); every schedule runs each, its module built by the factory after seeding TorchSharp's generator with it.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Epochs of every run (default: the map's).</summary>
    public int? Epochs { get; init; }

    /// <summary>How α follows a batch-size change (default: <see cref="LearningRateRule.Keep"/>, unless a schedule's name carries a rule).</summary>
    public LearningRateRule? LearningRateRule { get; init; }

    /// <summary>Where the tensors live: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>LibTorch's intra-op threads (default 1). Runs go one after another in this process.</summary>
    public int Threads { get; init; } = 1;
}
