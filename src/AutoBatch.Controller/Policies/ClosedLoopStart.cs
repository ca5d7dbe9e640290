using System.Globalization;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The closed loop's first decision: the configuration (B, α) a run starts from (docs/CONTROLLER.md, "Where the run
/// starts"). The same objective as every later decision, the target error in the least time, applied to the map's best
/// beacons (<see cref="DerivedData.BestBeacons"/>, its best configurations by mean final error): of those whose every
/// seed trained (none diverged or collapsed), within the run's batch-size bounds and with a mean final error inside the
/// target T = best + δ, the one with the largest batch size, then the lowest error. Every beacon trains the same epochs
/// on the same data, so the largest batch takes the fewest steps, and a step's cost per sample does not grow with the
/// batch size (measured: docs/RESULTS.md); no time of the map's machine is compared with this one's.
/// </summary>
public static class ClosedLoopStart
{
    /// <summary>The configuration to start from, and why.</summary>
    /// <param name="map">The map.</param>
    /// <param name="best">The best fixed beacon's error (<see cref="MapModel.BestError"/>).</param>
    /// <param name="tolerance">δ (<see cref="ClosedLoopPolicy.Tolerance"/>).</param>
    /// <param name="guards">The run's batch-size bounds; a configuration outside them is not a start.</param>
    /// <returns>The start, or null when no best beacon that trained on every seed is inside the target and the bounds.</returns>
    public static (BestBeacon Start, string Reason)? Choose(BeaconMap map, double best, double tolerance, PolicyGuards guards)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(guards);
        double target = best + tolerance;
        BestBeacon? start = map.Derived.BestBeacons
            .Where(c => c.DivergedSeeds == 0 && c.CollapsedSeeds == 0 && c.Seeds > 0)
            .Where(c => c.BatchSize >= guards.MinBatchSize && c.BatchSize <= guards.MaxBatchSize)
            .Where(c => c.MeanTestError <= target)
            .OrderByDescending(c => c.BatchSize)
            .ThenBy(c => c.MeanTestError)
            .ThenBy(c => c.LearningRate)
            .FirstOrDefault();
        if (start is null)
        {
            return null;
        }

        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"starts at {start.Label}: the largest batch size among the map's best beacons whose mean final error ({start.MeanTestError:P2} over {start.Seeds} seeds) is inside the target {target:P2} (best {best:P2} + δ {tolerance:P2})");
        return (start, reason);
    }
}
