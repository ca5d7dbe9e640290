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
