using System.Text.Json.Serialization;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Maps;

/// <summary>One finished beacon run: its configuration and per-epoch trajectory.</summary>
public sealed record BeaconRun
{
    /// <summary>Run id (RunKey.Id).</summary>
    public required string Id { get; init; }

    /// <summary>Mini-batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Initial learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Seed.</summary>
    public required long Seed { get; init; }

    /// <summary>True when a non-finite loss ended the run early.</summary>
    public required bool Diverged { get; init; }

    /// <summary>
    /// True when the run finished without a non-finite loss but its final test error is at chance level
    /// (<see cref="CollapseRule"/>): a silent divergence. Set by <see cref="BeaconMapBuilder"/>; such a run is kept in
    /// the map but, like a diverged one, left out of every surface, the region, the best beacons, early prediction and
    /// the relations. Absent (false) in run files and in maps written before collapse detection.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Collapsed { get; init; }

    /// <summary>
    /// Wall seconds of the whole run (process start to end); for a run continued from a checkpoint, its last execution
    /// plus the kept epochs' training and evaluation seconds (<see cref="Grid.RunClock"/>).
    /// </summary>
    public required double WallSeconds { get; init; }

    /// <summary>
    /// The epoch whose checkpoint the run was continued from, when its grid was stopped and restarted during it; absent
    /// (null) when the run went in one go, and in run files written before grids continued runs.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ResumedAfterEpoch { get; init; }

    /// <summary>Per-epoch records (C̄_K, L_K, errors, losses, times); fewer than the grid's epochs if diverged.</summary>
    public required IReadOnlyList<EpochRecord> Epochs { get; init; }

    /// <summary>Final test error (of the last recorded epoch).</summary>
    public double FinalTestError => Epochs.Count == 0 ? 1.0 : Epochs[^1].TestError;

    /// <summary>Diverged or collapsed: the run says training failed, not where in the plane training works.</summary>
    internal bool Excluded => Diverged || Collapsed;
}
