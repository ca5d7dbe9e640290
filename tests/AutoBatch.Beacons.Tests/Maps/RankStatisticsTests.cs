using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class RankStatisticsTests
{
    [Test]
    public void MonotoneAgreementIsOneAndReversalMinusOne()
    {
        double[] a = [0.1, 0.5, 0.2, 0.9];
        Assert.Multiple(() =>
        {
            Assert.That(RankStatistics.Spearman(a, a.Select(v => Math.Exp(3 * v)).ToArray()), Is.EqualTo(1).Within(1e-15));
            Assert.That(RankStatistics.Spearman(a, a.Select(v => -v).ToArray()), Is.EqualTo(-1).Within(1e-15));
        });
    }

    [Test]
    public void TiesShareTheirAverageRank()
    {
        // Hand-worked: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): co-moment 4.5, squared deviations 4.5 and 5 -> 4.5 / sqrt(22.5).
        Assert.Multiple(() =>
        {
            Assert.That(RankStatistics.Ranks([3, 7, 7, 9]), Is.EqualTo(new[] { 1, 2.5, 2.5, 4 }));
            Assert.That(RankStatistics.Spearman([3, 7, 7, 9], [1, 2, 3, 4]), Is.EqualTo(4.5 / Math.Sqrt(22.5)).Within(1e-15));
        });
    }

    [Test]
    public void ConstantSamplesHaveNoCorrelation() =>
        Assert.That(RankStatistics.Spearman([1, 1, 1], [1, 2, 3]), Is.Null);

    [Test]
    public void LowestBreaksTiesByIndex() =>
        Assert.That(RankStatistics.Lowest([0.3, 0.1, 0.3, 0.2, 0.3], 3), Is.EquivalentTo(new[] { 1, 3, 0 }));
}
