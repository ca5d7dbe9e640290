using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class ScheduleSpecTests
{
    [TestCase("closed-loop", ScheduleKind.ClosedLoop, "closed-loop")]
    [TestCase("Noise-Scale", ScheduleKind.NoiseScale, "noise-scale")]
    [TestCase("best", ScheduleKind.Best, "best")]
    [TestCase("s128", ScheduleKind.Fixed, "s128")]
    [TestCase("s32-to-512", ScheduleKind.Staged, "s32-to-512-∅")]
    [TestCase("s32-to-512-0", ScheduleKind.Staged, "s32-to-512-∅")]
    [TestCase("s16-to-64-MS", ScheduleKind.Staged, "s16-to-64-MS")]
    public void Parses(string text, ScheduleKind kind, string name)
    {
        ScheduleSpec s = ScheduleSpec.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(s.Kind, Is.EqualTo(kind));
            Assert.That(s.Name, Is.EqualTo(name));
            Assert.That(s.Id, Does.Not.Contain("∅"));
        });
    }

    [TestCase("s0")]
    [TestCase("s128+fast")]
    [TestCase("fast")]
    [TestCase("s32-to-100-MS")]
    public void RefusesWithTheAcceptedForms(string text)
    {
        var e = Assert.Throws<FormatException>(() => ScheduleSpec.Parse(text));
        Assert.That(e!.Message, Does.Contain(text));
    }

    [TestCase("closed-loop+linear", ScheduleKind.ClosedLoop, "closed-loop+linear", LearningRateRule.Linear)]
    [TestCase("s32-to-512-MS+sqrt", ScheduleKind.Staged, "s32-to-512-MS+sqrt", LearningRateRule.SquareRoot)]
    [TestCase("s128+keep", ScheduleKind.Fixed, "s128+keep", LearningRateRule.Keep)]
    public void ARuleSuffixFixesTheLearningRateRule(string text, ScheduleKind kind, string name, LearningRateRule rule)
    {
        ScheduleSpec s = ScheduleSpec.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(s.Kind, Is.EqualTo(kind));
            Assert.That(s.Name, Is.EqualTo(name));
            Assert.That(s.Rule, Is.EqualTo(rule));
            Assert.That(ScheduleSpec.Parse("closed-loop").Rule, Is.Null);
        });
    }

    [Test]
    public void AStagedScheduleWithARuleKeepsItsSequence() =>
        Assert.That(ScheduleSpec.Parse("s16-to-64-MS+linear").Sequence, Is.EqualTo(new[] { 16, 16, 32, 32, 64 }));
}
