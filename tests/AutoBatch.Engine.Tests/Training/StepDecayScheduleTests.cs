using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Training;

public sealed class StepDecayScheduleTests
{
    [Test]
    public void FortyEpochsDecayAtTheTwentyFirstAndThirtyFirst()
    {
        // Paper Sec. 4: "decays by 1/10 at the 50 percent ... and 75 percent epochs. That is ... 21st and 31st epoch".
        var s = new StepDecaySchedule(0.1, 40);
        Assert.Multiple(() =>
        {
            Assert.That(s.LearningRateAt(19), Is.EqualTo(0.1).Within(1e-15));
            Assert.That(s.LearningRateAt(20), Is.EqualTo(0.01).Within(1e-15));
            Assert.That(s.LearningRateAt(29), Is.EqualTo(0.01).Within(1e-15));
            Assert.That(s.LearningRateAt(30), Is.EqualTo(0.001).Within(1e-15));
            Assert.That(s.PhaseAt(39), Is.EqualTo(2));
        });
    }

    [Test]
    public void TenEpochsDecayAtFiveAndEight()
    {
        var s = new StepDecaySchedule(1, 10);
        Assert.That(s.MilestoneEpochs, Is.EqualTo(new[] { 5, 8 }));
    }

    [TestCase(0.0)]
    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    public void RejectsBadRates(double lr) =>
        Assert.That(() => new StepDecaySchedule(lr, 10), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("baseLearningRate"));
}
