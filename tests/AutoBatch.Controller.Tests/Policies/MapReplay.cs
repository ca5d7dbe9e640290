using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

/// <summary>
/// Replays the closed-loop law over a beacon map's recorded trajectories, without training. A path starts as
/// one of the map's runs (its batch size, α and seed) after <c>k</c> of its epochs, for every usable run and every
/// boundary k; from then on the law decides at every epoch boundary through the real <see cref="PolicyPlanner"/>, and
/// each epoch is the recorded epoch of the beacon at the batch size in use (same α, same seed, else another seed of that
/// configuration): its c, its measurements, its share of L (the beacon's L_K increment) and its record. C̄_K and L_K
/// accumulate one whole epoch at a time in a <see cref="FisherAccumulator"/>, as in the closed loop's prediction, so
/// the law sees the measures a run that changed its batch size at those boundaries would have shown if every epoch
/// behaved like the map's. A path that moves to a batch size the map has no usable beacon for at that α stops there.
/// </summary>
internal static class MapReplay
{
    /// <summary>A change, at 1-based boundary index (the boundary before 0-based epoch <c>Epoch</c>).</summary>
    public sealed record Change(int Epoch, int From, int To);

    /// <summary>One replayed path.</summary>
    public sealed record Path(string Run, int StartEpoch, IReadOnlyList<Change> Changes, int Boundaries, bool LeftTheMap)
    {
        /// <summary>Changes reversed (a change in the other direction) at one of the next two boundaries.</summary>
        public IEnumerable<(Change First, Change Reversal)> Reversals() =>
            from a in Changes
            from b in Changes
            where b.Epoch > a.Epoch && b.Epoch - a.Epoch <= 2 && Math.Sign(b.To - b.From) == -Math.Sign(a.To - a.From)
            select (a, b);
    }

    /// <summary>Replays every path of <paramref name="map"/> under the policy <paramref name="create"/> builds.</summary>
    public static List<Path> Run(BeaconMap map, Func<MapModel, IBatchPolicy> create)
    {
        var model = new MapModel(map);
        IBatchPolicy policy = create(model);
        double collapse = model.CollapseError;
        BeaconRun[] usable = map.Runs.Where(r => !r.Diverged && r.Epochs.Count == map.Grid.Epochs && r.FinalTestError < collapse).ToArray();
        int epochs = map.Grid.Epochs;
        var paths = new List<Path>();
        foreach (BeaconRun start in usable)
        {
            // The last batch of an epoch may be short: the mean batch size times the iterations is the epoch size.
            int epochSize = (int)Math.Round(start.Epochs[0].Iterations * start.Epochs[0].MeanBatchSize);
            for (int k = 1; k < epochs; k++)
            {
                paths.Add(Replay(start, k, epochs, epochSize, map.Grid.ProbeInterval, usable, policy));
            }
        }

        return paths;
    }

    private static Path Replay(BeaconRun start, int startEpochs, int epochs, int epochSize, int probeInterval, BeaconRun[] usable, IBatchPolicy policy)
    {
        var changes = new List<Change>();
        var planner = new PolicyPlanner(
            policy, new StepDecaySchedule(start.LearningRate, epochs), start.BatchSize, LearningRateRule.Keep, probeInterval, d =>
            {
                if (d.From != d.To)
                {
                    changes.Add(new Change(d.Epoch, d.From, d.To));
                }
            });

        var measures = new FisherAccumulator();
        int batch = start.BatchSize, boundaries = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            if (epoch >= startEpochs)
            {
                boundaries++;
                var progress = new TrainingProgress(epoch, epochs, 1, measures.Iterations, 0, epochSize, measures.CumulativeCondition, measures.CumulativeEnergy)
                {
                    Measurements = measures.Measurements,
                };
                batch = planner.Plan(progress).BatchSize;
            }

            if (EpochAt(usable, batch, start, epoch, epochSize, probeInterval) is not { } at)
            {
                return new Path(start.Id, startEpochs, changes, boundaries, LeftTheMap: true);
            }

            (EpochRecord recorded, double energyIncrement) = at;
            measures.AddEpoch(recorded.Iterations, recorded.Measurements, recorded.EpochCondition, energyIncrement);
            planner.EpochCompleted(recorded with
            {
                CumulativeCondition = measures.CumulativeCondition, CumulativeEnergy = measures.CumulativeEnergy, TotalIterations = measures.Iterations,
            });
        }

        return new Path(start.Id, startEpochs, changes, boundaries, LeftTheMap: false);
    }

    /// <summary>
    /// 0-based <paramref name="epoch"/> at <paramref name="batch"/>: the recorded epoch of that beacon (the start's seed
    /// first); between two beacons of the start's α (a map without every power of two), log-linear interpolation in
    /// log₂ B of the epoch's c and per-iteration l between the nearest beacons below and above, with that batch size's
    /// iterations and measurements; null outside the beacons' range.
    /// </summary>
    private static (EpochRecord Record, double EnergyIncrement)? EpochAt(BeaconRun[] usable, int batch, BeaconRun start, int epoch, int epochSize, int probeInterval)
    {
        BeaconRun[] sameRate = usable.Where(r => r.LearningRate == start.LearningRate)
            .OrderBy(r => r.Seed == start.Seed ? 0 : 1).ThenBy(r => r.Seed).ToArray();
        if (sameRate.FirstOrDefault(r => r.BatchSize == batch) is { } beacon)
        {
            return (beacon.Epochs[epoch], Increment(beacon, epoch));
        }

        BeaconRun? below = sameRate.Where(r => r.BatchSize < batch).MaxBy(r => r.BatchSize);
        BeaconRun? above = sameRate.Where(r => r.BatchSize > batch).MinBy(r => r.BatchSize);
        if (below is null || above is null)
        {
            return null;
        }

        EpochRecord a = below.Epochs[epoch], b = above.Epochs[epoch];
        double t = (Math.Log2(batch) - Math.Log2(below.BatchSize)) / (Math.Log2(above.BatchSize) - Math.Log2(below.BatchSize));
        double c = Math.Exp(Math.Log(a.EpochCondition) + t * (Math.Log(b.EpochCondition) - Math.Log(a.EpochCondition)));
        double la = Increment(below, epoch) / a.Iterations, lb = Increment(above, epoch) / b.Iterations;
        double l = Math.Exp(Math.Log(la) + t * (Math.Log(lb) - Math.Log(la)));
        int iterations = (epochSize + batch - 1) / batch;
        int measurements = (iterations - 1) / probeInterval + 1;
        EpochRecord record = a with
        {
            BatchSize = batch,
            MeanBatchSize = (double)epochSize / iterations,
            Iterations = iterations,
            EpochCondition = c,
            EpochEnergy = l,
            Measurements = measurements,
        };
        return (record, iterations * l);
    }

    private static double Increment(BeaconRun run, int epoch) => run.Epochs[epoch].CumulativeEnergy - (epoch == 0 ? 0 : run.Epochs[epoch - 1].CumulativeEnergy);
}
