using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// The time of a beacon run that was executed in parts (a grid stopped and restarted, its run continued from a
/// checkpoint): the last execution's wall time plus the training and evaluation seconds of the epochs it kept from the
/// earlier ones. The start-up of the earlier executions and the part of an epoch a stop threw away are not counted: the
/// figure is what the run would have taken in one go, up to one start-up.
/// </summary>
public static class RunClock
{
    /// <summary>
    /// How many leading epoch records of <paramref name="after"/> (the folder's log once the run ended) are the ones
    /// <paramref name="before"/> (the log when the last execution started) already held: a continued run keeps its
    /// checkpoint's epochs as they were written and writes every later one again.
    /// </summary>
    public static int KeptEpochs(IReadOnlyList<EpochRecord> before, IReadOnlyList<EpochRecord> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        int kept = 0;
        while (kept < before.Count && kept < after.Count && SameRecord(before[kept], after[kept]))
        {
            kept++;
        }

        return kept;
    }

    /// <summary>
    /// The run's wall seconds and the epoch it was continued after (null when it ran in one go), from the logs before
    /// and after its last execution and that execution's <paramref name="elapsed"/> time.
    /// </summary>
    public static (double WallSeconds, int? ResumedAfterEpoch) Of(IReadOnlyList<EpochRecord> before, IReadOnlyList<EpochRecord> after, TimeSpan elapsed)
    {
        int kept = KeptEpochs(before, after);
        double earlier = after.Take(kept).Sum(e => e.TrainSeconds + e.EvalSeconds);
        return (elapsed.TotalSeconds + earlier, kept == 0 ? null : kept);
    }

    /// <summary>
    /// The finished run of <paramref name="key"/>: its epoch log once the run ended (<paramref name="after"/>), divergence,
    /// wall seconds and resumption (<see cref="Of"/>).
    /// </summary>
    public static BeaconRun Finish(RunKey key, bool diverged, IReadOnlyList<EpochRecord> before, IReadOnlyList<EpochRecord> after, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(key);
        (double wall, int? resumed) = Of(before, after, elapsed);
        return new BeaconRun
        {
            Id = key.Id,
            BatchSize = key.BatchSize,
            LearningRate = key.LearningRate,
            Seed = key.Seed,
            Diverged = diverged || after.Any(e => e.Diverged),
            WallSeconds = wall,
            ResumedAfterEpoch = resumed,
            Epochs = after,
        };
    }

    // An epoch computed again differs in its measured times even where its values agree to the bit.
    private static bool SameRecord(EpochRecord a, EpochRecord b) =>
        a.Epoch == b.Epoch && a.TotalIterations == b.TotalIterations && a.TrainSeconds.Equals(b.TrainSeconds)
        && a.EvalSeconds.Equals(b.EvalSeconds) && a.TrainCpuSeconds.Equals(b.TrainCpuSeconds) && a.TestLoss.Equals(b.TestLoss);
}
