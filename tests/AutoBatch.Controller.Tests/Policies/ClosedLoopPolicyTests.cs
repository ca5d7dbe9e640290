using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class ClosedLoopPolicyTests
{
    private const int EpochSize = 6400;

    // Per-epoch c and l of the three beacons, constant over the epochs, so that after epoch e a beacon sits at
    // C̄ = c and L = e · (6400 / B) · l.
    private static readonly Dictionary<int, (double C, double L)> Beacons = new()
    {
        [32] = (50, 0.004),
        [64] = (100, 0.01),
        [128] = (400, 0.03),
    };

    private static BeaconMap Map(double error32, double error64, double error128)
    {
        var errors = new Dictionary<int, double> { [32] = error32, [64] = error64, [128] = error128 };
        var runs = new List<BeaconRun>();
        foreach (long seed in new long[] { 1, 2 })
        {
            foreach ((int b, (double c, double l)) in Beacons)
            {
                int iterations = EpochSize / b;
                var epochs = Enumerable.Range(1, 4).Select(e => PolicyContexts.Record(e, c, l) with
                {
                    Iterations = iterations,
                    TotalIterations = (long)iterations * e,
                    BatchSize = b,
                    ConditionMean = c,
                    Energy = e * iterations * l,
                    TestError = errors[b],
                }).ToArray();
                runs.Add(new BeaconRun
                {
                    Id = new RunKey(b, 0.05, seed).Id,
                    BatchSize = b,
                    LearningRate = 0.05,
                    Seed = seed,
                    Diverged = false,
                    WallSeconds = 1,
                    Epochs = epochs,
                });
            }
        }

        var grid = new GridSpec { Model = "mlp", Data = DataSetKind.FashionMnist, BatchSizes = [32, 64, 128], LearningRates = [0.05], Seeds = [1, 2], Epochs = 4, ProbeInterval = 10 };
        var provenance = new Provenance { Command = "test", Commit = "0", Date = "2026-01-01", Machine = "test", ThreadsPerRun = 1, ParallelRuns = 1, RunSeconds = 0, WallSeconds = 0 };
        return BeaconMapBuilder.Build(grid, runs, provenance);
    }

    // Two epochs done at B = 64 exactly like the B = 64 beacon: C̄ = 100, L = 2 · 100 · 0.01 = 2, 20 measurements.
    private static PolicyContext Live() => new()
    {
        Epoch = 2,
        Epochs = 4,
        IterationInEpoch = 1,
        Fraction = 0.5,
        Phase = 0,
        Phases = 3,
        PhaseFraction = 0.5,
        BatchSize = 64,
        EpochsSinceChange = 2,
        EpochSize = EpochSize,
        ProbeInterval = 10,
        Measurements = 20,
        ConditionMean = 100,
        Energy = 2,
        ScheduledLearningRate = 0.05,
        BaseLearningRate = 0.05,
        ReferenceBatchSize = 64,
        LastEpoch = PolicyContexts.Record(2, 100, 0.01),
    };

    private static ClosedLoopPolicy Policy(BeaconMap map, int max = 512) =>
        new(new MapModel(map), new ClosedLoopSettings { Guards = new PolicyGuards { MinBatchSize = 16, MaxBatchSize = max, FreezeInLastPhase = true } });

    [Test]
    public void PredictionsHoldTheCandidateToTheLastEpoch()
    {
        BeaconMap map = Map(0.08, 0.10, 0.12);
        ClosedLoopPolicy policy = Policy(map);
        (ErrorSurface surface, OptimumRegion region) = new MapSurfaces(map).At(4)!.Value;

        // Epochs 3 and 4 at B = 128: c' = 100 · 400/100, l' = 0.01 · 0.03/0.01; 50 iterations and 5 measurements each.
        // After 3: C̄ = (100·20 + 400·5) / 25 = 160, L = 2 + 50·0.03 = 3.5; after 4: C̄ = (160·25 + 400·5) / 30 = 200, L = 5.
        CandidatePrediction up = policy.Predict(Live(), 128, surface, region)!;
        // At B = 32: 200 iterations, 20 measurements, c' = 50, l' = 0.004. After 3: (2000 + 1000)/40 = 75, 2.8;
        // after 4: (75·40 + 50·20)/60 = 66.67, 3.6.
        CandidatePrediction down = policy.Predict(Live(), 32, surface, region)!;
        // B = 64 stays on its beacon and ends on the beacon's own final point (100, 4.0): the surface returns its error.
        CandidatePrediction keep = policy.Predict(Live(), 64, surface, region)!;
        Assert.Multiple(() =>
        {
            Assert.That(up.Condition, Is.EqualTo(200).Within(1e-9));
            Assert.That(up.Energy, Is.EqualTo(5.0).Within(1e-9));
            Assert.That(down.Condition, Is.EqualTo(200.0 / 3).Within(1e-9));
            Assert.That(down.Energy, Is.EqualTo(3.6).Within(1e-9));
            Assert.That(keep.Condition, Is.EqualTo(100).Within(1e-9));
            Assert.That(keep.Energy, Is.EqualTo(4.0).Within(1e-9));
            Assert.That(keep.Error, Is.EqualTo(0.10).Within(1e-12));
            Assert.That(keep.Distance, Is.EqualTo(region.DistanceToRegion(100, 4.0)));
        });
    }

    [Test]
    public void TheLinearRuleRaisesThePredictedEnergyOfALargerBatch()
    {
        BeaconMap map = Map(0.08, 0.10, 0.12);
        ClosedLoopPolicy policy = Policy(map);
        (ErrorSurface surface, OptimumRegion region) = new MapSurfaces(map).At(4)!.Value;

        // α doubles with B under the linear rule, so l' doubles: L = 2 + 2 · 50 · 0.03 · 2 = 8.
        CandidatePrediction up = policy.Predict(Live() with { Rule = LearningRateRule.Linear }, 128, surface, region)!;
        Assert.That(up.Energy, Is.EqualTo(8.0).Within(1e-9));
    }

    // Hand-worked with the IDW weights of the three final beacon points (50, 3.2), (100, 4.0), (400, 6.0) at the
    // predicted end points above: B=32 ≈ 0.0897, B=64 = 0.10 and B=128 ≈ 0.1078 when small batches end best (target
    // 0.08: none within, take the best), 0.1021 / 0.10 / 0.1493 when large ones end worst (target 0.10: only 64), and
    // all 0.10 on a flat map (all within: the largest). δ is 0.001 (two identical seeds: no seed noise, the floor).
    [TestCase(0.08, 0.10, 0.12, 32, TestName = "Halves when only a smaller batch is predicted near the best beacon")]
    [TestCase(0.10, 0.10, 0.20, 64, TestName = "Keeps when the larger batch is predicted worse by more than δ")]
    [TestCase(0.10, 0.10, 0.10, 128, TestName = "Doubles when the map predicts no loss: fewer iterations for free")]
    public void ChoosesTheLargestBatchSizeWithinToleranceOfTheBest(double e32, double e64, double e128, int expected)
    {
        ClosedLoopPolicy policy = Policy(Map(e32, e64, e128));
        BatchDecision d = policy.Decide(Live());
        Assert.Multiple(() =>
        {
            Assert.That(policy.Tolerance, Is.EqualTo(ClosedLoopSettings.MinimumTolerance));
            Assert.That(d.BatchSize, Is.EqualTo(expected));
            Assert.That(d.Evaluated, Is.True);
            Assert.That(d.Inputs.Keys, Does.Contain("error@128").And.Contain("distance@32"));
            Assert.That(d.Reason, Does.Contain("predicted final error"));
        });
    }

    [Test]
    public void TheLawOnHandMadePredictions()
    {
        static CandidatePrediction P(int b, double error) => new(b, 1, 1, error, 0);
        Assert.Multiple(() =>
        {
            // Target 0.100 + δ 0.002: 64 is within, 128 (0.1025) is not.
            Assert.That(ClosedLoopPolicy.Choose([P(32, 0.100), P(64, 0.101), P(128, 0.1025)], 0.002, 0.100).BatchSize, Is.EqualTo(64));
            Assert.That(ClosedLoopPolicy.Choose([P(32, 0.100), P(64, 0.101), P(128, 0.1025)], 0.003, 0.100).BatchSize, Is.EqualTo(128));
            // The tolerance is anchored to the target, not to the best candidate: a run already 0.3 points above the
            // target does not drift further up by another δ, it takes the best candidate.
            Assert.That(ClosedLoopPolicy.Choose([P(64, 0.103), P(128, 0.104), P(256, 0.1045)], 0.002, 0.100).BatchSize, Is.EqualTo(64));
            // No candidate within target + δ: the best; a tie goes to the larger batch.
            Assert.That(ClosedLoopPolicy.Choose([P(32, 0.105), P(64, 0.103), P(128, 0.103)], 0.001, 0.100).BatchSize, Is.EqualTo(128));
            Assert.That(ClosedLoopPolicy.Choose([P(64, 0.100)], 0, 0.100).BatchSize, Is.EqualTo(64));
        });
    }

    [Test]
    public void CandidatesStayWithinTheGuardsAndTheMapsRange()
    {
        ClosedLoopPolicy capped = Policy(Map(0.1, 0.1, 0.1), max: 64);
        ClosedLoopPolicy open = Policy(Map(0.1, 0.1, 0.1));
        Assert.Multiple(() =>
        {
            Assert.That(capped.Candidates(64), Is.EqualTo(new[] { 32, 64 }));
            Assert.That(open.Candidates(128), Is.EqualTo(new[] { 64, 128 })); // 256 has no beacons
            Assert.That(open.Candidates(32), Is.EqualTo(new[] { 32, 64 })); // 16 has no beacons
            Assert.That(capped.Decide(Live()).BatchSize, Is.EqualTo(64));
        });
    }

    [Test]
    public void GuardsHoldBeforeTheLawIsConsulted()
    {
        ClosedLoopPolicy policy = Policy(Map(0.1, 0.1, 0.1));
        Assert.Multiple(() =>
        {
            Assert.That(policy.Decide(Live() with { IterationInEpoch = 3 }).BatchSize, Is.EqualTo(64));
            Assert.That(policy.Decide(Live() with { EpochsSinceChange = 0 }).Reason, Does.StartWith("dwell"));
            Assert.That(policy.Decide(Live() with { Phase = 2, Phases = 3 }).Reason, Does.StartWith("last learning-rate phase"));
            Assert.That(policy.Decide(Live() with { Measurements = 0 }).Reason, Does.Contain("no probe measurement"));
        });
    }
}
