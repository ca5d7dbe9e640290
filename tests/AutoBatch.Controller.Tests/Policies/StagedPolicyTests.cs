using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class StagedPolicyTests
{
    [TestCase("s32-to-512", new[] { 32, 64, 128, 256, 512 })]
    [TestCase("s512-to-32", new[] { 512, 256, 128, 64, 32 })]
    [TestCase("s16-to-64", new[] { 16, 16, 32, 32, 64 })]
    [TestCase("s32-to-128", new[] { 32, 32, 64, 64, 128 })]
    [TestCase("s64-to-256", new[] { 64, 64, 128, 128, 256 })]
    [TestCase("s128-to-512", new[] { 128, 128, 256, 256, 512 })]
    [TestCase("S32-to-s128", new[] { 32, 32, 64, 64, 128 })]
    public void PaperSequences(string name, int[] expected) => Assert.That(StageSequence.Parse(name), Is.EqualTo(expected));

    [TestCase("s32-to-100", "16x")]
    [TestCase("s32", "expected sA-to-B")]
    [TestCase("s0-to-0", ">= 1")]
    public void UnsupportedSequencesAreRefusedWithTheReason(string name, string message)
    {
        var e = Assert.Throws<FormatException>(() => StageSequence.Parse(name));
        Assert.That(e!.Message, Does.Contain(name).And.Contain(message));
    }

    // 15 epochs: five stages of 3 epochs each over the whole run.
    [TestCase(0, 0, 32)]
    [TestCase(2, 9999, 32)]
    [TestCase(3, 0, 64)]
    [TestCase(5, 6000, 64)]
    [TestCase(6, 0, 128)]
    [TestCase(9, 0, 256)]
    [TestCase(12, 0, 512)]
    [TestCase(14, 9999, 512)]
    public void WholeRunStagesSplitTheEpochsIntoFifths(int epoch, int samplesSeen, int expected)
    {
        var planner = new PolicyPlanner(StagedPolicy.FromName("s32-to-512", multiStage: false), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 0);
        StepPlan plan = planner.Plan(new TrainingProgress(epoch, 15, 1, 0, samplesSeen, 10000, 0, 0));
        Assert.That(plan.BatchSize, Is.EqualTo(expected));
    }

    // 15 epochs: LR phases are epochs 0-7 (8 epochs), 8-11 (4) and 12-14 (3). Within the first, stage k covers
    // [1.6k, 1.6(k+1)) epochs; within the second, [0.8k, ...) after epoch 8; within the third, [0.6k, ...) after 12.
    [TestCase(0, 0, 32)]
    [TestCase(1, 5999, 32)] // 1.5999 epochs < 1.6
    [TestCase(1, 6000, 64)] // 1.6 epochs
    [TestCase(7, 9999, 512)]
    [TestCase(8, 0, 32)] // a new LR phase restarts the sequence
    [TestCase(8, 8000, 64)] // 0.8 of 4 epochs = stage 2
    [TestCase(11, 5000, 512)]
    [TestCase(12, 0, 32)]
    [TestCase(12, 6000, 64)] // 0.6 of 3 epochs
    [TestCase(14, 9999, 512)]
    public void MultiStageRestartsTheSequenceInEveryLearningRatePhase(int epoch, int samplesSeen, int expected)
    {
        var planner = new PolicyPlanner(StagedPolicy.FromName("s32-to-512", multiStage: true), new StepDecaySchedule(0.05, 15), 32, LearningRateRule.Keep, 0);
        StepPlan plan = planner.Plan(new TrainingProgress(epoch, 15, 2, 0, samplesSeen, 10000, 0, 0));
        Assert.That(plan.BatchSize, Is.EqualTo(expected));
    }

    [Test]
    public void NamesFollowThePaper()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StagedPolicy.FromName("s32-to-512", false).Name, Is.EqualTo("s32-to-512-∅"));
            Assert.That(StagedPolicy.FromName("s16-to-64", true).Name, Is.EqualTo("s16-to-64-MS"));
        });
    }
}
