using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
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
                    CumulativeCondition = c,
                    CumulativeEnergy = e * iterations * l,
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
        CumulativeCondition = 100,
        CumulativeEnergy = 2,
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
            Assert.That(up.CumulativeCondition, Is.EqualTo(200).Within(1e-9));
            Assert.That(up.CumulativeEnergy, Is.EqualTo(5.0).Within(1e-9));
            Assert.That(down.CumulativeCondition, Is.EqualTo(200.0 / 3).Within(1e-9));
            Assert.That(down.CumulativeEnergy, Is.EqualTo(3.6).Within(1e-9));
            Assert.That(keep.CumulativeCondition, Is.EqualTo(100).Within(1e-9));
            Assert.That(keep.CumulativeEnergy, Is.EqualTo(4.0).Within(1e-9));
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
        Assert.That(up.CumulativeEnergy, Is.EqualTo(8.0).Within(1e-9));
    }

    // Hand-worked with the IDW weights of the three final beacon points (50, 3.2), (100, 4.0), (400, 6.0) at the
    // predicted end points above: B=32 ≈ 0.0897, B=64 = 0.10 and B=128 ≈ 0.1078 when small batches end best (target
    // 0.08: none within, take the best), 0.1021 / 0.10 / 0.1493 when large ones end worst (target 0.10: only 64), and
    // all 0.10 on a flat map (all within: the largest). δ is 0.001 (two identical seeds: no seed noise, the floor) and
    // the margin 0 (no seed noise either), so every positive gain qualifies: up 0.081 − 0.1078 < 0, down 0.10 − 0.0897;
    // up 0.101 − 0.1493 < 0 and no down case (0.10 is within 0.101); up 0.101 − 0.10 = 0.001.
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
            Assert.That(policy.Margin, Is.Zero);
            Assert.That(d.BatchSize, Is.EqualTo(expected));
            Assert.That(d.Evaluated, Is.True);
            Assert.That(d.Inputs.Keys, Does.Contain("error@128").And.Contain("distance@32"));
            Assert.That(d.Reason, Does.Contain("predicted final error").And.Contain("margin 0.00 %)"));
            Assert.That(d.Gain, expected == 64 ? Is.Null : Is.GreaterThan(0));
        });
    }

    private static CandidatePrediction P(int b, double error) => new(b, 1, 1, error, 0);

    // Target 0.100, δ 0.002 (limit T = 0.102), margin 0.001, B = 64 in use, no earlier change.
    [TestCase(0.1010, 0.1005, 0.1000, 128, 0.0015, TestName = "Doubles when the larger batch is predicted inside T by more than the margin (0.102 - 0.1005)")]
    [TestCase(0.1010, 0.1015, 0.1000, 128, 0.0005, TestName = "Doubles when the larger batch is inside T by less than the margin: a time gain, no error at stake")]
    [TestCase(0.1010, 0.1025, 0.1000, 64, 0.0, TestName = "Keeps when the larger batch is predicted outside T, however close")]
    [TestCase(0.1050, 0.1100, 0.1035, 32, 0.0015, TestName = "Halves when keeping is outside T and the smaller batch regains more than the margin")]
    [TestCase(0.1050, 0.1100, 0.1045, 64, 0.0, TestName = "Keeps when the smaller batch regains less than the margin (the old law took the best)")]
    [TestCase(0.1015, 0.1100, 0.0950, 64, 0.0, TestName = "A smaller batch has no case while keeping is within T, however much better")]
    [TestCase(0.1060, 0.1045, 0.1040, 32, 0.0020, TestName = "Keeping outside T: of two qualifying changes the larger gain (0.002 against 0.0015)")]
    [TestCase(0.1060, 0.1040, 0.1040, 128, 0.0020, TestName = "Keeping outside T: equal gains go to the larger batch")]
    public void TheMarginOnHandWorkedPredictions(double keep, double up, double down, int expected, double gain)
    {
        LawChoice choice = ClosedLoopPolicy.Choose([P(32, down), P(64, keep), P(128, up)], 64, target: 0.100, tolerance: 0.002, margin: 0.001, lastChange: null);
        Assert.Multiple(() =>
        {
            Assert.That(choice.BatchSize, Is.EqualTo(expected));
            Assert.That(choice.Gain, Is.EqualTo(gain).Within(1e-12));
            Assert.That(choice.Limit, Is.EqualTo(0.102).Within(1e-15));
            Assert.That(choice.Options.Single(o => o.BatchSize == 32).Required, Is.EqualTo(0.001));
            Assert.That(choice.Options.Single(o => o.BatchSize == 128).Required, Is.EqualTo(keep <= 0.102 ? 0.0 : 0.001));
        });
    }

    [Test]
    public void AReversalNeedsTheGainOfTheChangeItUndoesPlusTheMargin()
    {
        // The run went 32 -> 64 on a predicted gain of 0.0015. Now keeping 64 is predicted outside T = 0.102.
        var up = new BatchChange(Epoch: 5, From: 32, To: 64, Gain: 0.0015);
        LawChoice weak = ClosedLoopPolicy.Choose([P(32, 0.1025), P(64, 0.1045), P(128, 0.110)], 64, 0.100, 0.002, 0.001, up);
        LawChoice strong = ClosedLoopPolicy.Choose([P(32, 0.1015), P(64, 0.1045), P(128, 0.110)], 64, 0.100, 0.002, 0.001, up);
        LawChoice fresh = ClosedLoopPolicy.Choose([P(32, 0.1025), P(64, 0.1045), P(128, 0.110)], 64, 0.100, 0.002, 0.001, null);
        // The same direction as the last change needs only the margin: 128 inside T by 0.0015 after 32 -> 64.
        LawChoice onward = ClosedLoopPolicy.Choose([P(32, 0.1000), P(64, 0.1010), P(128, 0.1005)], 64, 0.100, 0.002, 0.001, up);
        // A last change without a recorded gain (another policy's) counts as one made on the margin: regaining 0.0015
        // needs 0.001 + 0.001.
        LawChoice unknown = ClosedLoopPolicy.Choose([P(32, 0.1030), P(64, 0.1045), P(128, 0.110)], 64, 0.100, 0.002, 0.001, up with { Gain = null });
        Assert.Multiple(() =>
        {
            // Regaining 0.1045 − 0.1025 = 0.002 beats the margin but not 0.0015 + 0.001: hold.
            Assert.That(weak.BatchSize, Is.EqualTo(64));
            Assert.That(weak.Options.Single(o => o.BatchSize == 32).Required, Is.EqualTo(0.0025).Within(1e-15));
            Assert.That(weak.Options.Single(o => o.BatchSize == 32).Reversal, Is.True);
            Assert.That(weak.Options.Single(o => o.BatchSize == 128).Reversal, Is.False);
            // 0.1045 − 0.1015 = 0.003 > 0.0025: reverse.
            Assert.That(strong.BatchSize, Is.EqualTo(32));
            Assert.That(strong.Gain, Is.EqualTo(0.003).Within(1e-12));
            // Without the change to undo, 0.002 > 0.001 suffices.
            Assert.That(fresh.BatchSize, Is.EqualTo(32));
            Assert.That(onward.BatchSize, Is.EqualTo(128));
            Assert.That(unknown.Options.Single(o => o.BatchSize == 32).Required, Is.EqualTo(0.002).Within(1e-15));
            Assert.That(unknown.BatchSize, Is.EqualTo(64));
        });
    }

    private static CandidatePrediction P(int b, double error, double seconds) => new(b, 1, 1, error, 0, seconds);

    // Target 0.100, δ 0.002 (T = 0.102), margin 0.001, B = 64 in use (50 s to the end), no earlier change.
    [TestCase(0.1010, 0.1015, 40, 0.1000, 60, 128, TestName = "Inside T: the larger batch, also inside T and faster, is a time case (no margin)")]
    [TestCase(0.1010, 0.1015, 55, 0.1000, 60, 64, TestName = "Inside T: a larger batch predicted slower has no case, however far inside T")]
    [TestCase(0.1010, 0.1030, 40, 0.1000, 45, 32, TestName = "Inside T: a smaller batch inside T and faster is a time case too")]
    [TestCase(0.1010, 0.1015, 40, 0.1000, 45, 128, TestName = "Inside T: of two time cases the faster (40 s against 45 s), not the one further inside T")]
    [TestCase(0.1010, 0.1000, 45, 0.1015, 40, 32, TestName = "Inside T: the faster wins also when it is the smaller batch")]
    [TestCase(0.1010, 0.1015, 50, 0.1000, 50, 128, TestName = "Inside T: on equal times (one batch size measured) the larger batch, for fewer iterations")]
    [TestCase(0.1010, 0.1030, 50, 0.1000, 50, 64, TestName = "Inside T: a smaller batch as fast as keeping B has no case")]
    [TestCase(0.1050, 0.1035, 40, 0.1030, 60, 128, TestName = "Outside T: of two changes regaining more than the margin, the faster (the old law took the larger gain)")]
    [TestCase(0.1050, 0.1045, 40, 0.1030, 60, 32, TestName = "Outside T: a faster change that regains less than the margin does not qualify")]
    [TestCase(0.1050, 0.1035, 70, 0.1070, 60, 128, TestName = "Outside T: regained error is taken even when it costs time")]
    public void TheLeastTimeInsideTheToleranceOnHandWorkedPredictions(double keep, double up, double upSeconds, double down, double downSeconds, int expected)
    {
        LawChoice choice = ClosedLoopPolicy.Choose(
            [P(32, down, downSeconds), P(64, keep, 50), P(128, up, upSeconds)], 64, target: 0.100, tolerance: 0.002, margin: 0.001, lastChange: null);
        double expectedSeconds = expected == 64 ? 50 : expected == 128 ? upSeconds : downSeconds;
        Assert.Multiple(() =>
        {
            Assert.That(choice.BatchSize, Is.EqualTo(expected));
            Assert.That(choice.Seconds, Is.EqualTo(expectedSeconds));
            // A change is remembered with its error gain: T − ê(B′) inside T, ê(B) − ê(B′) outside.
            Assert.That(choice.Gain, Is.EqualTo(expected == 64 ? 0 : keep <= 0.102 ? 0.102 - (expected == 128 ? up : down) : keep - (expected == 128 ? up : down)).Within(1e-12));
        });
    }

    [Test]
    public void ATimeCaseThatReversesTheLastChangeStillNeedsItsGainPlusTheMargin()
    {
        // The run went 32 -> 64 on a gain of 0.0015 and turned out slower there: 32 is now predicted faster (40 s
        // against 50 s) and inside T. Undoing the change needs 0.0015 + 0.001 of error evidence, not a time figure.
        var up = new BatchChange(Epoch: 5, From: 32, To: 64, Gain: 0.0015);
        LawChoice weak = ClosedLoopPolicy.Choose([P(32, 0.1000, 40), P(64, 0.1010, 50), P(128, 0.110, 30)], 64, 0.100, 0.002, 0.001, up);
        LawChoice strong = ClosedLoopPolicy.Choose([P(32, 0.0990, 40), P(64, 0.1010, 50), P(128, 0.110, 30)], 64, 0.100, 0.002, 0.001, up);
        Assert.Multiple(() =>
        {
            // T − ê(32) = 0.002 < 0.0025: hold.
            Assert.That(weak.BatchSize, Is.EqualTo(64));
            Assert.That(weak.Options.Single(o => o.BatchSize == 32).Required, Is.EqualTo(0.0025).Within(1e-15));
            // 0.003 > 0.0025: reverse.
            Assert.That(strong.BatchSize, Is.EqualTo(32));
            Assert.That(strong.Gain, Is.EqualTo(0.003).Within(1e-12));
            // 128 is the fastest but predicted outside T: its gain T − ê(128) is negative, it does not qualify.
            Assert.That(weak.Options.Single(o => o.BatchSize == 128).Gain, Is.EqualTo(0.102 - 0.110).Within(1e-12));
            Assert.That(weak.Options.Single(o => o.BatchSize == 128).Qualifies, Is.False);
        });
    }

    [Test]
    public void DecideWeighsTheRunsOwnThroughputAndLogsIt()
    {
        // Flat map (every candidate inside T = 0.101). Two epochs measured at B = 64 (2 s per 6,400 samples) and one
        // at B = 128 (1 s): s(B) = a + b/B through them gives b = (2 − 1)/6400 / (1/64 − 1/128) = 0.02, a = 0, so
        // s(32) = 0.02/32 = 4/6400 (fitted). Two epochs to go, 12,800 samples: 128 takes 2 s, 64 4 s, 32 8 s.
        ClosedLoopPolicy policy = Policy(Map(0.1, 0.1, 0.1));
        ThroughputModel faster = new([new ThroughputSample(64, 12_800, 4), new ThroughputSample(128, 6400, 1)]);
        // The other way round: 128 slower (2 s per epoch against 1 s); the fit then gives s(32) < 0, so 32 takes 64's figure.
        ThroughputModel slower = new([new ThroughputSample(64, 6400, 1), new ThroughputSample(128, 6400, 2)]);
        BatchDecision taken = policy.Decide(Live() with { Throughput = faster });
        BatchDecision held = policy.Decide(Live() with { Throughput = slower });
        Assert.Multiple(() =>
        {
            Assert.That(taken.BatchSize, Is.EqualTo(128));
            Assert.That(taken.Inputs["seconds@128"], Is.EqualTo(2).Within(1e-12));
            Assert.That(taken.Inputs["seconds@64"], Is.EqualTo(4).Within(1e-12));
            Assert.That(taken.Inputs["seconds@32"], Is.EqualTo(8).Within(1e-12));
            Assert.That(taken.Inputs["throughputBasis@32"], Is.EqualTo((double)ThroughputBasis.Fitted));
            Assert.That(taken.Inputs["measuredSecondsPerSample@64"], Is.EqualTo(4.0 / 12_800).Within(1e-18));
            Assert.That(taken.Inputs["iterations@128"], Is.EqualTo(100));
            Assert.That(taken.Reason, Does.Contain("8.0 s fitted)").And.Contain("2.0 s to the end against 4.0 s"));
            Assert.That(held.BatchSize, Is.EqualTo(64));
            Assert.That(held.Inputs["throughputBasis@32"], Is.EqualTo((double)ThroughputBasis.Nearest));
            Assert.That(held.Reason, Does.Contain("128: no case (keeping B is within target + δ and 128 is not predicted to save time)"));
        });
    }

    [Test]
    public void TheLawNeedsAPredictionForTheBatchSizeInUse() =>
        Assert.That(() => ClosedLoopPolicy.Choose([P(32, 0.1)], 64, 0.1, 0.001, 0.001, null), Throws.ArgumentException.With.Message.Contains("64"));

    [Test]
    public void DecideReadsTheLastChangeFromTheContext()
    {
        // Flat map, margin 0: doubling 64 -> 128 has gain 0.001. After a 128 -> 64 change made on a gain of 0.01 it is a
        // reversal that needs 0.01, so the policy holds; after 32 -> 64 it is not, and it doubles.
        ClosedLoopPolicy policy = Policy(Map(0.1, 0.1, 0.1));
        BatchDecision held = policy.Decide(Live() with { LastChange = new BatchChange(1, 128, 64, 0.01) });
        BatchDecision onward = policy.Decide(Live() with { LastChange = new BatchChange(1, 32, 64, 0.01) });
        Assert.Multiple(() =>
        {
            Assert.That(held.BatchSize, Is.EqualTo(64));
            Assert.That(held.Reason, Does.Contain("reversal needs 1.00 %").And.Contain("keep B = 64"));
            Assert.That(held.Inputs["required@128"], Is.EqualTo(0.01).Within(1e-15));
            Assert.That(onward.BatchSize, Is.EqualTo(128));
            Assert.That(onward.Gain, Is.EqualTo(0.001).Within(1e-9));
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
    public void ACheckpointOfTheLawBeforeTheMarginIsRefusedNamingTheSchedule()
    {
        // Before the margin and the hysteresis the closed loop's identity was "closed-loop, <guards>, δ <tolerance>"; a
        // run under that law must not continue under this one, and --resume must say why.
        ClosedLoopPolicy policy = Policy(Map(0.1, 0.1, 0.1));
        var train = new ImageDataSet(new byte[4 * 784], [0, 1, 2, 3], 1, 28, 28, 10, "test");
        var settings = new RunSettings { Model = "mlp", Data = DataSetKind.FashionMnist, BatchSize = 64, LearningRate = 0.05, Epochs = 4, Seed = 1, Threads = 1, ProbeInterval = 10, Output = "out" };
        SortedDictionary<string, string> now = RunIdentity.Of(settings, policy, train, AugmentationKind.None);
        string schedule = now[RunIdentity.ScheduleKey];
        string old = schedule[..schedule.IndexOf(", margin", StringComparison.Ordinal)];

        // Stored as checkpoints of that time stored it: keyed by flag.
        var then = now.ToDictionary(p => p.Key == RunIdentity.ScheduleKey ? "--schedule" : p.Key, p => p.Key == RunIdentity.ScheduleKey ? old : p.Value);
        var stored = new Dictionary<string, string> { [RunIdentity.MetadataKey] = System.Text.Json.JsonSerializer.Serialize(then) };
        var e = Assert.Throws<InvalidDataException>(() => RunIdentity.Check(stored, now, AutoBatch.Controller.Verbs.Run.RunService.SettingNames));
        Assert.Multiple(() =>
        {
            Assert.That(old, Does.StartWith("closed-loop, ").And.Contain("δ 0.001"));
            Assert.That(e!.Message, Does.Contain($"--schedule: {old} in the checkpoint's run, {schedule} in this one"));
            Assert.That(schedule, Does.EndWith(", margin 0, a reversal needs its change's gain + margin, least predicted time inside target + δ"));
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
