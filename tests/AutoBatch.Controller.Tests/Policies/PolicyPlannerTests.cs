using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class PolicyPlannerTests
{
    private static TrainingProgress At(int epoch, int iterationInEpoch = 1, int seen = 0) => new(epoch, 15, iterationInEpoch, 100L * epoch, seen, 6400, 100, 1);

    [TestCase(LearningRateRule.Keep, 128, 0.05)]
    [TestCase(LearningRateRule.Linear, 128, 0.1)]
    [TestCase(LearningRateRule.Linear, 32, 0.025)]
    [TestCase(LearningRateRule.SquareRoot, 256, 0.1)]
    public void TheLearningRateRuleScalesFromTheInitialBatchSize(LearningRateRule rule, int batch, double expected)
    {
        var planner = new PolicyPlanner(new FixedPolicy(batch), new StepDecaySchedule(0.05, 15), 64, rule, 0);
        Assert.That(planner.Plan(At(0)).LearningRate, Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void TheStepDecayStillAppliesAfterScaling()
    {
        var planner = new PolicyPlanner(new FixedPolicy(128), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Linear, 0);
        Assert.Multiple(() =>
        {
            Assert.That(planner.Plan(At(8)).LearningRate, Is.EqualTo(0.01).Within(1e-15));
            Assert.That(planner.Plan(At(12)).LearningRate, Is.EqualTo(0.001).Within(1e-15));
        });
    }

    [Test]
    public void ChangesAreCountedLoggedAndResetTheDwell()
    {
        var log = new List<DecisionRecord>();
        var planner = new PolicyPlanner(StagedPolicy.FromName("s32-to-512", false), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 0, log.Add);
        planner.Plan(At(0));
        planner.EpochCompleted(PolicyContexts.Record(1));
        planner.EpochCompleted(PolicyContexts.Record(2));
        planner.EpochCompleted(PolicyContexts.Record(3));
        Assert.That(planner.EpochsSinceChange, Is.EqualTo(3));
        planner.Plan(At(3));
        Assert.Multiple(() =>
        {
            Assert.That(planner.BatchSize, Is.EqualTo(64));
            Assert.That(planner.Changes, Is.EqualTo(1));
            Assert.That(planner.EpochsSinceChange, Is.EqualTo(0));
            Assert.That(log, Has.Count.EqualTo(1));
            Assert.That(log[0].From, Is.EqualTo(32));
            Assert.That(log[0].To, Is.EqualTo(64));
            Assert.That(log[0].Epoch, Is.EqualTo(4));
            Assert.That(log[0].Reason, Does.Contain("stage 2/5"));
        });
    }

    [Test]
    public void StateRoundTripsAndBelongsToItsPolicy()
    {
        var planner = new PolicyPlanner(new NoiseScalePolicy(new PolicyGuards()), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        planner.EpochCompleted(PolicyContexts.Record(1, noise: 200));
        planner.Plan(At(1));
        planner.CutLearningRate(0.5, At(1), "test");
        string state = planner.SaveState();

        var copy = new PolicyPlanner(new NoiseScalePolicy(new PolicyGuards()), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        copy.RestoreState(state);
        Assert.Multiple(() =>
        {
            Assert.That(copy.BatchSize, Is.EqualTo(256));
            Assert.That(copy.LearningRateScale, Is.EqualTo(0.5));
            Assert.That(copy.Changes, Is.EqualTo(1));
            Assert.That(copy.Plan(At(2)).LearningRate, Is.EqualTo(0.025).Within(1e-15));
        });

        var other = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        var e = Assert.Throws<InvalidDataException>(() => other.RestoreState(state));
        Assert.That(e!.Message, Does.Contain("noise-scale").And.Contain("s64"));
        Assert.Throws<InvalidDataException>(() => other.RestoreState("{not json"));
    }

    // Doubles B at every epoch boundary, with a gain of 0.01 · epoch, and reads the last change.
    private sealed class Doubling : IBatchPolicy
    {
        public string Name => "doubling";

        public bool UsesLastChange => true;

        public BatchDecision Decide(PolicyContext context) => context.AtEpochBoundary
            ? new BatchDecision(context.BatchSize * 2, $"after {context.LastChange}", Evaluated: true) { Gain = 0.01 * context.Epoch }
            : BatchDecision.Hold(context.BatchSize, "between boundaries");
    }

    [Test]
    public void TheLastChangeIsKeptPassedToThePolicyAndRoundTrips()
    {
        var log = new List<DecisionRecord>();
        var planner = new PolicyPlanner(new Doubling(), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 10, log.Add);
        planner.Plan(At(0));
        Assert.That(planner.LastChange, Is.Null);
        planner.EpochCompleted(PolicyContexts.Record(1));
        planner.Plan(At(1));
        planner.EpochCompleted(PolicyContexts.Record(2));
        planner.Plan(At(2));
        string state = planner.SaveState();
        var copy = new PolicyPlanner(new Doubling(), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 10);
        copy.RestoreState(state);
        Assert.Multiple(() =>
        {
            Assert.That(planner.LastChange, Is.EqualTo(new BatchChange(2, 64, 128, 0.02)));
            Assert.That(log[1].Reason, Is.EqualTo("after " + new BatchChange(1, 32, 64, 0.01)), "the policy saw the first change");
            Assert.That(copy.LastChange, Is.EqualTo(planner.LastChange));
            Assert.That(copy.ContextFor(At(3)).LastChange, Is.EqualTo(planner.LastChange));
            Assert.That(copy.SaveState(), Is.EqualTo(state));
            Assert.That(state, Does.Contain("\"version\":4"));
        });
    }

    [Test]
    public void AStateFromBeforeTheLastChangeWasKeptResumesOnlyWhereNothingIsLost()
    {
        // Format 1 had no lastChange and no version.
        const string afterChanges = """{"policy":"doubling","batchSize":128,"epochsSinceChange":1,"learningRateScale":1,"changes":2,"lastEpoch":null}""";
        const string beforeAnyChange = """{"policy":"doubling","batchSize":32,"epochsSinceChange":1,"learningRateScale":1,"changes":0,"lastEpoch":null}""";
        const string staged = """{"policy":"s64","batchSize":64,"epochsSinceChange":3,"learningRateScale":1,"changes":2,"lastEpoch":null}""";
        const string newer = """{"policy":"s64","batchSize":64,"epochsSinceChange":3,"learningRateScale":1,"changes":2,"lastEpoch":null,"version":5}""";
        var hysteresis = new PolicyPlanner(new Doubling(), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 10);
        var fixedB = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        var e = Assert.Throws<InvalidDataException>(() => hysteresis.RestoreState(afterChanges));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain("format version 1").And.Contain("doubling").And.Contain("hysteresis"));
            Assert.That(() => hysteresis.RestoreState(beforeAnyChange), Throws.Nothing);
            Assert.That(() => fixedB.RestoreState(staged), Throws.Nothing);
            Assert.That(fixedB.Changes, Is.EqualTo(2));
            Assert.That(fixedB.LastChange, Is.Null);
            Assert.That(() => fixedB.RestoreState(newer), Throws.TypeOf<InvalidDataException>().With.Message.Contains("version 5"));
        });
    }

    [Test]
    public void TheThroughputFiguresAreLearnedFromEpochsAndCheckpointed()
    {
        var planner = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        // Two epochs at B = 64 (6,400 samples each, 1 s and 3 s): 4 s / 12,800 samples.
        planner.EpochCompleted(PolicyContexts.Record(1));
        planner.EpochCompleted(PolicyContexts.Record(2) with { TrainSeconds = 3 });
        string state = planner.SaveState();
        var copy = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        copy.RestoreState(state);
        // Format 2 had no throughput: the figures start again.
        const string format2 = """{"policy":"s64","batchSize":64,"epochsSinceChange":3,"learningRateScale":1,"changes":0,"lastEpoch":null,"version":2}""";
        var old = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        old.RestoreState(format2);
        const string invalid = """{"policy":"s64","batchSize":64,"epochsSinceChange":3,"learningRateScale":1,"changes":0,"lastEpoch":null,"version":3,"throughput":[{"batchSize":64,"samples":0,"seconds":1}]}""";
        Assert.Multiple(() =>
        {
            Assert.That(planner.Throughput.Samples, Is.EqualTo(new[] { new ThroughputSample(64, 12_800, 4) }));
            Assert.That(copy.Throughput.Samples, Is.EqualTo(planner.Throughput.Samples));
            Assert.That(copy.ContextFor(At(2)).Throughput.Estimate(64)!.SecondsPerSample, Is.EqualTo(4.0 / 12_800).Within(1e-18));
            Assert.That(copy.SaveState(), Is.EqualTo(state));
            // Only what was measured is stored: wall seconds under "seconds" (which record comparisons treat as a wall
            // time), nothing derived from them.
            Assert.That(state, Does.Contain("\"throughput\":[{\"batchSize\":64,\"samples\":12800,\"seconds\":4}]"));
            Assert.That(old.Throughput.Samples, Is.Empty);
            Assert.That(() => old.RestoreState(invalid), Throws.TypeOf<InvalidDataException>().With.Message.Contains("throughput"));
        });
    }

    /// <summary>Keeps B; compares B/2, B and 2B by time.</summary>
    private sealed class TimedKeep : ITimedPolicy
    {
        public string Name => "timed";

        public bool UsesLastChange => false;

        public BatchDecision Decide(PolicyContext context) => BatchDecision.Hold(context.BatchSize, "keeps");

        public IReadOnlyList<int> Candidates(int batchSize) => [batchSize / 2, batchSize, batchSize * 2];
    }

    [Test]
    public void ATimedPolicysCandidatesAreCalibratedOnceAgainstTheOneMeasuredBatchSize_OutsideTheirEpochsSpeed()
    {
        var planner = new PolicyPlanner(new TimedKeep(), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        IReadOnlyList<int> beforeAnyEpoch = planner.CalibrationWanted(At(0));
        planner.EpochCompleted(PolicyContexts.Record(1) with { TrainSeconds = 2 });  // 6,400 samples at 64 in 2 s
        IReadOnlyList<int> betweenSteps = planner.CalibrationWanted(At(1, iterationInEpoch: 2));
        IReadOnlyList<int> wanted = planner.CalibrationWanted(At(1));
        // Timed alike: 32 at 1.5x and 128 at 0.75x the per-sample time of 64; the calibration took 0.5 s of epoch 2.
        planner.Calibrated(At(1), [new BatchTiming(64, 64, 4, 4 * 64 * 1e-4), new BatchTiming(32, 32, 4, 4 * 32 * 1.5e-4), new BatchTiming(128, 128, 4, 4 * 128 * 0.75e-4)], 0.5);
        IReadOnlyList<int> again = planner.CalibrationWanted(At(1));
        string state = planner.SaveState();
        var copy = new PolicyPlanner(new TimedKeep(), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10);
        copy.RestoreState(state);
        planner.EpochCompleted(PolicyContexts.Record(2) with { TrainSeconds = 2.5 });
        copy.EpochCompleted(PolicyContexts.Record(2) with { TrainSeconds = 2.5 });
        double measured = 4.0 / 12_800;
        Assert.Multiple(() =>
        {
            Assert.That(beforeAnyEpoch, Is.Empty, "nothing measured to calibrate against");
            Assert.That(betweenSteps, Is.Empty, "only at an epoch boundary");
            Assert.That(wanted, Is.EqualTo(new[] { 64, 32, 128 }), "the reference first, then the candidates");
            Assert.That(again, Is.Empty, "once per batch size");
            Assert.That(planner.Throughput.Samples, Is.EqualTo(new[] { new ThroughputSample(64, 12_800, 4) }), "epoch 2's 2.5 s less its 0.5 s of calibration");
            Assert.That(planner.Throughput.Estimate(32), Is.EqualTo(new ThroughputEstimate(32, 1.5 * measured, ThroughputBasis.Calibrated)).Using<ThroughputEstimate>(Close));
            Assert.That(planner.Throughput.Estimate(128)!.SecondsPerSample, Is.EqualTo(0.75 * measured).Within(1e-15));
            Assert.That(copy.Throughput.Samples, Is.EqualTo(planner.Throughput.Samples), "the pending calibration seconds are checkpointed");
            Assert.That(copy.Throughput.Calibrations, Is.EqualTo(planner.Throughput.Calibrations));
            Assert.That(new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 10).CalibrationWanted(At(1)), Is.Empty, "not for an untimed policy");
        });
    }

    private static bool Close(ThroughputEstimate a, ThroughputEstimate b) =>
        a.BatchSize == b.BatchSize && a.Basis == b.Basis && Math.Abs(a.SecondsPerSample - b.SecondsPerSample) <= 1e-15;

    [Test]
    public void ADivergenceCutIsLoggedWithItsReason()
    {
        var log = new List<DecisionRecord>();
        var planner = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 0, log.Add);
        planner.CutLearningRate(0.5, At(2), "non-finite step");
        Assert.Multiple(() =>
        {
            Assert.That(log.Single().Kind, Is.EqualTo("divergence"));
            Assert.That(log.Single().Reason, Does.Contain("non-finite step").And.Contain("0.5"));
            Assert.That(log.Single().LearningRate, Is.EqualTo(0.025).Within(1e-15));
            Assert.That(() => planner.CutLearningRate(1.5, At(2), "x"), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void PhaseFractionCoversEachLearningRatePhase()
    {
        var planner = new PolicyPlanner(new FixedPolicy(64), new StepDecaySchedule(0.05, 15), 64, LearningRateRule.Keep, 0);
        Assert.Multiple(() =>
        {
            Assert.That(planner.ContextFor(At(4)).PhaseFraction, Is.EqualTo(0.5).Within(1e-12));
            Assert.That(planner.ContextFor(At(9, seen: 3200)).PhaseFraction, Is.EqualTo(1.5 / 4).Within(1e-12));
            Assert.That(planner.ContextFor(At(13)).Phase, Is.EqualTo(2));
            Assert.That(planner.ContextFor(At(13)).InLastPhase, Is.True);
        });
    }
}
