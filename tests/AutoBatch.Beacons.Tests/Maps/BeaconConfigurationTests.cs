using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>A configuration's statistics, which the map's derived data and the closed loop's model both read.</summary>
public sealed class BeaconConfigurationTests
{
    // Two epochs at B = 32, α = 0.1, each with the given means of c and l.
    private static BeaconRun Run(long seed, double finalError, double epochCondition, double epochEnergy)
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, seed, 2, e => new MeasurePoint(10 * e, 0.5 * e), finalError);
        return run with { Epochs = run.Epochs.Select(r => r with { EpochCondition = epochCondition, EpochEnergy = epochEnergy }).ToArray() };
    }

    [Test]
    public void FinalErrorStatisticsAreOverTheFinishedSeeds()
    {
        // Final errors 0.10, 0.12, 0.14: mean 0.12, Σ(e − ē)² = 0.0008, s = √(0.0008 / 2) = 0.02; seed 4 diverged.
        BeaconConfiguration c = BeaconConfiguration.Group(
        [
            Run(1, 0.10, 4, 2), Run(2, 0.12, 4, 2), Run(3, 0.14, 4, 2), Run(4, 0.9, 4, 2) with { Diverged = true },
        ]).Single();
        Assert.Multiple(() =>
        {
            Assert.That(c.Finished.Select(r => r.Seed), Is.EqualTo(new long[] { 1, 2, 3 }));
            Assert.That(c.DivergedSeeds, Is.EqualTo(1));
            Assert.That(c.MeanFinalError, Is.EqualTo(0.12).Within(1e-15));
            Assert.That(c.SquaredDeviations, Is.EqualTo(0.0008).Within(1e-15));
            Assert.That(c.StdFinalError, Is.EqualTo(0.02).Within(1e-14));
        });
    }

    [Test]
    public void EpochMeansAreGeometricOverTheSeedsThatMeasured()
    {
        // c: 2 and 8 (geometric mean 4), l: 0.1 and 0.4 (0.2); seed 3 measured nothing (0) and is left out.
        BeaconConfiguration c = BeaconConfiguration.Group([Run(1, 0.1, 2, 0.1), Run(2, 0.1, 8, 0.4), Run(3, 0.1, 0, 0)]).Single();
        Assert.Multiple(() =>
        {
            Assert.That(c.EpochMeansAt(1)!.Value.EpochCondition, Is.EqualTo(4).Within(1e-12));
            Assert.That(c.EpochMeansAt(2)!.Value.EpochEnergy, Is.EqualTo(0.2).Within(1e-12));
            Assert.That(c.EpochMeansAt(3), Is.Null, "beyond the runs' epochs");
            Assert.That(BeaconConfiguration.Group([Run(1, 0.1, 0, 0)]).Single().EpochMeansAt(1), Is.Null);
        });
    }
}
