using AutoBatch.Controller.Comparison;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>
/// Welch's test against independent references. scipy is not installed on the build machine, so the general cases
/// were computed with a separate pure-Python program (plain formulas for t and ν, and the p-value by Simpson
/// integration of the Student t density from 0 to |t| with 400,000 panels: no incomplete beta function, unlike
/// MathNet's CDF). The first case is the Welch's t-test article's example 1 on Wikipedia (t = −2.46, ν = 25.0,
/// p = 0.021). The ν = 1 and ν = 2 cases are hand-worked with the closed-form t CDFs.
/// </summary>
public sealed class WelchTestTests
{
    private static readonly double[] WikipediaA1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    private static readonly double[] WikipediaA2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

    [Test]
    public void MatchesTheIndependentIntegrationOnWikipediasExample()
    {
        WelchResult r = WelchTest.Compare(WikipediaA1, WikipediaA2);
        Assert.Multiple(() =>
        {
            Assert.That(r.T, Is.EqualTo(-2.45535639828601).Within(1e-10));
            Assert.That(r.DegreesOfFreedom, Is.EqualTo(24.9885292902314).Within(1e-9));
            Assert.That(r.PValue, Is.EqualTo(0.0213780014628832).Within(1e-9));
            Assert.That(r.Undefined, Is.Null);
        });
    }

    [Test]
    public void MatchesTheIndependentIntegrationWithUnequalSizesAndVariances()
    {
        WelchResult r = WelchTest.Compare([0.101, 0.104, 0.099], [0.112, 0.108, 0.115, 0.109, 0.111]);
        Assert.Multiple(() =>
        {
            Assert.That(r.T, Is.EqualTo(-5.08693651198078).Within(1e-9));
            Assert.That(r.DegreesOfFreedom, Is.EqualTo(4.67238042576722).Within(1e-9));
            Assert.That(r.PValue, Is.EqualTo(0.00461159544660206).Within(1e-9));
        });
    }

    [Test]
    public void TwoDegreesOfFreedomByHand()
    {
        // a = {1, 3}, b = {4, 6}: means 2 and 5, both variances 2, so s²/n = 1 per side: t = −3/√2,
        // ν = (1 + 1)² / (1²/1 + 1²/1) = 2, and for ν = 2 the two-sided p is 1 − |t| / √(2 + t²).
        WelchResult r = WelchTest.Compare([1, 3], [4, 6]);
        double t = -3 / Math.Sqrt(2);
        Assert.Multiple(() =>
        {
            Assert.That(r.T, Is.EqualTo(t).Within(1e-12));
            Assert.That(r.DegreesOfFreedom, Is.EqualTo(2).Within(1e-12));
            Assert.That(r.PValue, Is.EqualTo(1 - Math.Abs(t) / Math.Sqrt(2 + t * t)).Within(1e-10));
        });
    }

    [Test]
    public void OneConstantSideLeavesTheOthersDegreesOfFreedom()
    {
        // a = {1, 3} (s²/n = 1), b = {5, 5} (s² = 0): t = −3, ν = 1²/(1²/1) = 1, a Cauchy tail: p = 1 − (2/π)·atan(3).
        WelchResult r = WelchTest.Compare([1, 3], [5, 5]);
        Assert.Multiple(() =>
        {
            Assert.That(r.T, Is.EqualTo(-3).Within(1e-12));
            Assert.That(r.DegreesOfFreedom, Is.EqualTo(1).Within(1e-12));
            Assert.That(r.PValue, Is.EqualTo(1 - 2 / Math.PI * Math.Atan(3)).Within(1e-10));
        });
    }

    [Test]
    public void IsSymmetricInItsArguments()
    {
        WelchResult ab = WelchTest.Compare(WikipediaA1, WikipediaA2), ba = WelchTest.Compare(WikipediaA2, WikipediaA1);
        Assert.Multiple(() =>
        {
            Assert.That(ba.T, Is.EqualTo(-ab.T!.Value).Within(1e-12));
            Assert.That(ba.PValue, Is.EqualTo(ab.PValue!.Value).Within(1e-12));
        });
    }

    [Test]
    public void IdenticalSamplesGivePOne()
    {
        WelchResult r = WelchTest.Compare([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]);
        Assert.Multiple(() =>
        {
            Assert.That(r.T, Is.EqualTo(0).Within(1e-15));
            Assert.That(r.PValue, Is.EqualTo(1).Within(1e-12));
        });
    }

    [TestCase(new[] { 0.1 }, new[] { 0.1, 0.2 })]
    [TestCase(new[] { 0.1, 0.2 }, new[] { 0.3 })]
    [TestCase(new double[0], new[] { 0.1, 0.2 })]
    public void OneSeedLeavesPUndefinedAndSaysWhy(double[] a, double[] b)
    {
        WelchResult r = WelchTest.Compare(a, b);
        Assert.Multiple(() =>
        {
            Assert.That(r.PValue, Is.Null);
            Assert.That(r.T, Is.Null);
            Assert.That(r.Undefined, Does.Contain("at least 2"));
        });
    }

    [TestCase(0.1, 0.1, "equal")]
    [TestCase(0.1, 0.2, "different means")]
    public void ZeroVarianceOnBothSidesLeavesPUndefined(double a, double b, string reason)
    {
        WelchResult r = WelchTest.Compare([a, a, a], [b, b]);
        Assert.Multiple(() =>
        {
            Assert.That(r.PValue, Is.Null);
            Assert.That(r.Undefined, Does.Contain(reason));
        });
    }

    [Test]
    public void AConstantSampleHasExactlyZeroVarianceAndItsValueAsMean()
    {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004: a summed mean is off by one ulp and the variance is not zero.
        SampleStatistics s = SampleStatistics.Of([0.1, 0.1, 0.1]);
        Assert.Multiple(() =>
        {
            Assert.That(s.Mean, Is.EqualTo(0.1));
            Assert.That(s.Variance, Is.EqualTo(0.0));
        });
    }
}
