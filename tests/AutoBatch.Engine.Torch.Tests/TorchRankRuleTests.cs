using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Probe.Layers;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>The two rank rules in the TorchSharp engine's spectrum analysis, on a spectrum whose answer is known exactly.</summary>
public sealed class TorchRankRuleTests
{
    // diag(1, 1e-20, 0, 0): the tolerance rule counts one eigenvalue (σ = 1e-10 < σ_max·B·ε_32), c = 1; the reference
    // rule counts the positive float32 1e-20 too, c = 1 / sqrt((float)1e-20).
    private static readonly double[] Diagonal = [1, 0, 0, 0, 0, 1e-20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [TestCase(RankRule.Tolerance, 1)]
    [TestCase(RankRule.Reference, 2)]
    public void EachRuleCountsWhatItShould(RankRule rule, int rank)
    {
        double other = rule == RankRule.Tolerance ? 1 / Math.Sqrt((float)1e-20) : 1;
        ProbeReading r = SpectrumAnalysis.Analyse((double[])Diagonal.Clone(), 4, 1.0, new ProbeSettings { RankRule = rule, BothRankRules = true }, withEigenvalues: false);
        Assert.Multiple(() =>
        {
            Assert.That((r.Status, r.RankRule, r.Rank), Is.EqualTo((ProbeStatus.Ok, rule, rank)));
            Assert.That(r.StepCondition, Is.EqualTo(rule == RankRule.Tolerance ? 1 : 1 / Math.Sqrt((float)1e-20)).Within(1e-9).Percent);
            Assert.That(r.OtherRule!.Rank, Is.EqualTo(3 - rank));
            Assert.That(r.OtherRule.StepCondition, Is.EqualTo(other).Within(1e-9).Percent);
        });
    }
}
