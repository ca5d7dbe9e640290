using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>The two rank rules on spectra whose answer is known exactly, through the native engine's analysis.</summary>
public sealed class RankRuleTests
{
    // diag(1, 1e-20, 0, 0): σ = 1e-10 is far below σ_max·B·ε_32 = 4.8e-7, so the tolerance rule counts one eigenvalue
    // (c = 1); 1e-20 is a positive float32 (9.99999968e-21), so the reference rule counts two (c = 1e10).
    private static readonly double[] Diagonal = [1, 0, 0, 0, 0, 1e-20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly double TinyAsFloat32 = (float)1e-20;

    [TestCase(false)]
    [TestCase(true)]
    public void TheRulesDisagreeExactlyWhereTheyShould(bool withEigenvalues)
    {
        var tolerance = GramAnalysis.Analyse(Diagonal, 4, new ProbeSettings { BothRankRules = true }, withEigenvalues: withEigenvalues);
        var reference = GramAnalysis.Analyse(
            Diagonal, 4, new ProbeSettings { RankRule = RankRule.Reference, BothRankRules = true }, withEigenvalues: withEigenvalues);
        Assert.Multiple(() =>
        {
            Assert.That(tolerance.Status, Is.EqualTo(ProbeStatus.Ok));
            Assert.That((tolerance.RankRule, tolerance.Rank, tolerance.StepCondition), Is.EqualTo((RankRule.Tolerance, 1, 1.0)));
            Assert.That(tolerance.OtherRule!.Rule, Is.EqualTo(RankRule.Reference));
            Assert.That(tolerance.OtherRule.Rank, Is.EqualTo(2));
            Assert.That(tolerance.OtherRule.StepCondition, Is.EqualTo(Math.Sqrt(1 / TinyAsFloat32)).Within(1e-9).Percent);

            Assert.That((reference.RankRule, reference.Rank), Is.EqualTo((RankRule.Reference, 2)));
            Assert.That(reference.LambdaMinPositive, Is.EqualTo(TinyAsFloat32));
            Assert.That(reference.StepCondition, Is.EqualTo(Math.Sqrt(1 / TinyAsFloat32)).Within(1e-9).Percent);
            Assert.That((reference.OtherRule!.Rule, reference.OtherRule.Rank, reference.OtherRule.StepCondition), Is.EqualTo((RankRule.Tolerance, 1, 1.0)));

            // What does not depend on the rule stays the same.
            Assert.That(reference.Trace, Is.EqualTo(tolerance.Trace));
            Assert.That(reference.NoiseScale, Is.EqualTo(tolerance.NoiseScale));
        });
    }

    [Test]
    public void OneRuleOnlyKeepsNoOtherMeasure()
    {
        var plain = GramAnalysis.Analyse(Diagonal, 4, new ProbeSettings(), withEigenvalues: false);
        var reference = GramAnalysis.Analyse(Diagonal, 4, new ProbeSettings { RankRule = RankRule.Reference }, withEigenvalues: false);
        Assert.Multiple(() =>
        {
            Assert.That(plain.OtherRule, Is.Null);
            Assert.That(plain.Rank, Is.EqualTo(1));
            Assert.That(reference.OtherRule, Is.Null);
            Assert.That(reference.Rank, Is.EqualTo(2));
        });
    }

    [Test]
    public void OnAFullRankWellConditionedMatrixTheRulesAgreeToFloat32Precision()
    {
        // A rotated spectrum: c = sqrt(1 / 0.1) under both rules, the reference rule to float32 precision.
        double[] m = RotatedSpectrum([1, 0.5, 0.25, 0.1]);
        var r = GramAnalysis.Analyse(m, 4, new ProbeSettings { BothRankRules = true }, withEigenvalues: false);
        Assert.Multiple(() =>
        {
            Assert.That(r.Rank, Is.EqualTo(4));
            Assert.That(r.StepCondition, Is.EqualTo(Math.Sqrt(10)).Within(1e-10).Percent);
            Assert.That(r.OtherRule!.Rank, Is.EqualTo(4));
            Assert.That(r.OtherRule.StepCondition, Is.EqualTo(Math.Sqrt(10)).Within(1e-4).Percent);
        });
    }

    [Test]
    public void TheReferenceRuleClampsNegativesAndDropsOnlyExactZeros()
    {
        var m = RuleMeasure.Reference([8f, -1e-7f, 0f, 2f, 1e-30f]);
        Assert.Multiple(() =>
        {
            Assert.That(m.Rank, Is.EqualTo(3));
            Assert.That(m.LambdaMax, Is.EqualTo(8.0));
            Assert.That(m.LambdaMinPositive, Is.EqualTo((double)1e-30f));
            Assert.That(m.StepCondition, Is.EqualTo(Math.Sqrt(8 / (double)1e-30f)));
            Assert.That(RuleMeasure.Reference([0f, -2f]).StepCondition, Is.EqualTo(0));
        });
    }

    [Test]
    public void AnAnalysisThatNeverAppliedTheReferenceRuleCannotBeReadUnderIt()
    {
        var plain = GramAnalysis.Analyse(Diagonal, 4, new ProbeSettings(), withEigenvalues: false);
        Assert.That(
            () => plain.UnderRule(new ProbeSettings { RankRule = RankRule.Reference }, null),
            Throws.InvalidOperationException.With.Message.Contains("reference rank rule"));
    }

    private static double[] RotatedSpectrum(double[] eigenvalues)
    {
        // Q diag(λ) Qᵀ with Q one Householder reflection I - 2vvᵀ/|v|², orthogonal by construction.
        int n = eigenvalues.Length;
        double[] v = [0.3, -0.7, 0.2, 0.5];
        double norm2 = v.Sum(a => a * a);
        double Q(int i, int k) => (i == k ? 1 : 0) - 2 * v[i] * v[k] / norm2;
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                m[i * n + j] = Enumerable.Range(0, n).Sum(k => Q(i, k) * eigenvalues[k] * Q(j, k));
            }
        }

        return m;
    }
}
