using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class BeaconMapBuilderTests
{
    private static readonly LogNormalisation Plane = new()
    {
        MinLogCondition = Math.Log(5),
        MaxLogCondition = Math.Log(500),
        MinLogEnergy = Math.Log(0.01),
        MaxLogEnergy = Math.Log(100),
    };

    [Test]
    public void TheSameRunsInAnyOrderGiveAnIdenticalMap()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 10, seedCount: 2);
        var rng = new Random(42);
        BeaconRun[] shuffled = runs.OrderBy(_ => rng.Next()).ToArray();
        string a = BeaconMapFile.ToJson(BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance));
        string b = BeaconMapFile.ToJson(BeaconMapBuilder.Build(grid, shuffled, SyntheticBeacons.Provenance));
        string c = BeaconMapFile.ToJson(BeaconMapBuilder.Build(grid, runs.Reverse().ToArray(), SyntheticBeacons.Provenance));
        Assert.Multiple(() =>
        {
            Assert.That(b, Is.EqualTo(a));
            Assert.That(c, Is.EqualTo(a));
        });
    }

    [Test]
    public void RunsAreStoredSortedById()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 4, seedCount: 1);
        BeaconMap map = BeaconMapBuilder.Build(grid, runs.Reverse().ToArray(), SyntheticBeacons.Provenance);
        Assert.That(map.Runs.Select(r => r.Id), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public void ARigidlyTravellingBeaconFieldCarriesItsRegionAlong()
    {
        // Every configuration moves by the same factor per epoch in both measures, so the surface is the same in
        // normalised coordinates (up to rounding in the logarithms) and the region's centroid moves by that factor in
        // real units (up to a boundary cell flipping with the rounding).
        const int Epochs = 10;
        var runs = new List<BeaconRun>();
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                // Jittered off the lattice: on an exact lattice many grid nodes have tied fifth-nearest neighbours,
                // and rounding in the logarithms would pick different ones at different epochs.
                double x = (i + 0.2 * Math.Sin(7 * i + 3 * j)) / 4.0, y = (j + 0.2 * Math.Cos(5 * i + 11 * j)) / 4.0;
                runs.Add(SyntheticBeacons.Run(8 << i, 0.025 * (1 << j), 1, Epochs,
                    e => new MeasurePoint(Plane.CumulativeCondition(x) * Math.Exp(0.2 * e), Plane.CumulativeEnergy(y) * Math.Exp(0.3 * e)),
                    0.05 + 0.2 * ((x - 0.3) * (x - 0.3) + (y - 0.7) * (y - 0.7))));
            }
        }

        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid([8, 16, 32, 64, 128], [0.025, 0.05, 0.1, 0.2, 0.4], [1], Epochs), runs, SyntheticBeacons.Provenance);
        IReadOnlyList<RegionSnapshot> t = map.Derived.Trajectory;
        Assert.Multiple(() =>
        {
            Assert.That(t.Select(s => s.Fraction), Is.EqualTo(EpochFractions.Trajectory));
            Assert.That(t.Select(s => s.Epoch), Is.EqualTo(new[] { 1, 1, 2, 4, 6, 8, 10 }));
            foreach (RegionSnapshot s in t)
            {
                Assert.That(s.Region.Surface.Values.SelectMany(r => r), Is.EqualTo(t[0].Region.Surface.Values.SelectMany(r => r)).Within(1e-12));
                Assert.That(s.Region.Centroid.CumulativeCondition / t[0].Region.Centroid.CumulativeCondition, Is.EqualTo(Math.Exp(0.2 * (s.Epoch - 1))).Within(1).Percent);
                Assert.That(s.Region.Centroid.CumulativeEnergy / t[0].Region.Centroid.CumulativeEnergy, Is.EqualTo(Math.Exp(0.3 * (s.Epoch - 1))).Within(1).Percent);
            }
        });
    }

    [Test]
    public void TheRegionFollowsTheBestConfigurationWhenItMovesAcrossTheOthers()
    {
        // Sixteen mediocre configurations stay put; the best one walks from the lower left to the upper right.
        const int Epochs = 10;
        var runs = new List<BeaconRun>();
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                MeasurePoint p = Plane.ToMeasures(i / 3.0, j / 3.0);
                runs.Add(SyntheticBeacons.Run(8 << i, 0.025 * (1 << j), 1, Epochs, _ => p, 0.3 + 0.01 * (i + j)));
            }
        }

        MeasurePoint Star(int epoch) => Plane.ToMeasures(0.1 + 0.8 * (epoch - 1) / (Epochs - 1), 0.12 + 0.76 * (epoch - 1) / (Epochs - 1));
        runs.Add(SyntheticBeacons.Run(1024, 0.8, 1, Epochs, Star, 0.05));

        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid([8, 16, 32, 64, 1024], [0.025, 0.05, 0.1, 0.2, 0.8], [1], Epochs), runs, SyntheticBeacons.Provenance);
        IReadOnlyList<RegionSnapshot> t = map.Derived.Trajectory;
        Assert.Multiple(() =>
        {
            foreach (RegionSnapshot s in t)
            {
                MeasurePoint star = Star(s.Epoch);
                Assert.That(s.Region.DistanceToRegion(star.CumulativeCondition, star.CumulativeEnergy), Is.LessThan(0.03), $"fraction {s.Fraction}");
            }

            Assert.That(t.Select(s => s.Region.Centroid.CumulativeCondition), Is.Ordered);
            Assert.That(t.Select(s => s.Region.Centroid.CumulativeEnergy), Is.Ordered);
            MeasurePoint end = Star(Epochs);
            Assert.That(t[0].Region.DistanceToRegion(end.CumulativeCondition, end.CumulativeEnergy), Is.GreaterThan(0.5));
        });
    }

    [Test]
    public void TheFinalSnapshotIsTheMapsRegion()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 5, seedCount: 1);
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.That(map.Derived.Trajectory[^1].Fraction, Is.EqualTo(1.0));
            Assert.That(map.Derived.Trajectory[^1].Region.Threshold, Is.EqualTo(map.Derived.Region.Threshold));
            Assert.That(map.Derived.Trajectory[^1].Region.Surface.Values.SelectMany(r => r), Is.EqualTo(map.Derived.Region.Surface.Values.SelectMany(r => r)));
            Assert.That(map.Derived.SnapshotAt(0.97).Fraction, Is.EqualTo(1.0));
            Assert.That(map.Derived.SnapshotAt(0.3).Fraction, Is.EqualTo(0.2));
        });
    }

    [Test]
    public void DivergedRunsAreKeptButLeftOffTheSurface()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 6, seedCount: 3);
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);

        // Independently: s8-lr0.4 is represented by its two finished seeds only.
        BeaconRun[] finished = runs.Where(r => r.BatchSize == 8 && r.LearningRate == 0.4 && !r.Diverged).ToArray();
        double c = Math.Exp(finished.Average(r => Math.Log(r.Epochs[^1].CumulativeCondition)));
        double l = Math.Exp(finished.Average(r => Math.Log(r.Epochs[^1].CumulativeEnergy)));
        SurfacePoint[] points = runs.Where(r => !r.Diverged).GroupBy(r => (r.BatchSize, r.LearningRate)).Select(g => new SurfacePoint(
            g.Key.ToString(),
            Math.Exp(g.Average(r => Math.Log(r.Epochs[^1].CumulativeCondition))),
            Math.Exp(g.Average(r => Math.Log(r.Epochs[^1].CumulativeEnergy))),
            g.Average(r => r.FinalTestError))).ToArray();
        var surface = new ErrorSurface(points);
        Assert.Multiple(() =>
        {
            Assert.That(map.Runs, Has.Count.EqualTo(runs.Count));
            Assert.That(map.Derived.DivergedRuns, Is.EqualTo(new[] { "b0008-lr0.4-s2" }));
            Assert.That(map.Derived.Configurations, Is.EqualTo(35));
            Assert.That(surface.Evaluate(c, l), Is.EqualTo(finished.Average(r => r.FinalTestError)).Within(1e-12));
            Assert.That(map.Derived.Region.Surface.Normalisation, Is.EqualTo(surface.Normalisation));
        });
    }

    [Test]
    public void TheBestBeaconsAreTheFiveLowestMeanErrorsOverSeeds()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 6, seedCount: 3);
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
        var expected = runs.Where(r => !r.Diverged)
            .GroupBy(r => (r.BatchSize, r.LearningRate))
            .Select(g =>
            {
                double[] e = g.Select(r => r.FinalTestError).ToArray();
                double mean = e.Average();
                return (g.Key.BatchSize, g.Key.LearningRate, Mean: mean, Std: Math.Sqrt(e.Sum(v => (v - mean) * (v - mean)) / (e.Length - 1)));
            })
            .OrderBy(x => x.Mean)
            .Take(5)
            .ToArray();
        IReadOnlyList<BestBeacon> best = map.Derived.BestBeacons;
        Assert.Multiple(() =>
        {
            Assert.That(best.Select(b => b.Rank), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
            Assert.That(best.Select(b => (b.BatchSize, b.LearningRate)), Is.EqualTo(expected.Select(x => (x.BatchSize, x.LearningRate))));
            for (int k = 0; k < 5; k++)
            {
                Assert.That(best[k].MeanTestError, Is.EqualTo(expected[k].Mean).Within(1e-15));
                Assert.That(best[k].StdTestError, Is.EqualTo(expected[k].Std).Within(1e-15));
                Assert.That(best[k].Seeds, Is.EqualTo(3));
            }
        });
    }

    [Test]
    public void EarlyPredictionIsReportedAtTheThreeFractions()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 10, seedCount: 1);
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.That(map.Derived.EarlyPrediction.Select(p => p.Fraction), Is.EqualTo(new[] { 0.1, 0.2, 0.4 }));
            Assert.That(map.Derived.EarlyPrediction.Select(p => p.Epoch), Is.EqualTo(new[] { 1, 2, 4 }));
            Assert.That(map.Derived.EarlyPrediction, Has.All.Property(nameof(EarlyPredictionResult.Configurations)).EqualTo(35));
        });
    }

    [Test]
    public void ASingleConfigurationStillMakesAMap()
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, 1, 3, e => new MeasurePoint(20 + e, 0.5 * e), 0.1);
        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [run], SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.That(map.Derived.Region.Cells, Is.EqualTo(41 * 41));
            Assert.That(map.Derived.Region.Contains(23, 1.5), Is.True);
            Assert.That(map.Derived.BestBeacons, Has.Count.EqualTo(1));
            Assert.That(map.Derived.EarlyPrediction, Is.Empty);
        });
    }

    [Test]
    public void ProbeLessEpochsAreSkippedNotFatal()
    {
        // C̄_K = 0 means "no measurement yet"; such epochs cannot be placed on the log plane.
        BeaconRun[] runs = Enumerable.Range(0, 3).Select(i =>
            SyntheticBeacons.Run(16 << i, 0.1, 1, 4, e => e == 1 ? new MeasurePoint(0, 0) : new MeasurePoint(10 * (i + 1), e), 0.1 * (i + 1))).ToArray();
        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid([16, 32, 64], [0.1], [1], 4), runs, SyntheticBeacons.Provenance);
        Assert.That(map.Derived.Trajectory.Select(s => s.Epoch), Is.EqualTo(new[] { 2, 3, 4, 4 }));
    }

    [Test]
    public void RejectsARunWithoutEpochs()
    {
        BeaconRun empty = SyntheticBeacons.Run(32, 0.1, 1, 3, _ => new MeasurePoint(10, 1), 0.1) with { Epochs = [] };
        Assert.That(() => BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [empty], SyntheticBeacons.Provenance),
            Throws.ArgumentException.With.Message.Contains("b0032-lr0.1-s1"));
    }

    [Test]
    public void RejectsARepeatedRun()
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, 1, 3, _ => new MeasurePoint(10, 1), 0.1);
        Assert.That(() => BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [run, run], SyntheticBeacons.Provenance),
            Throws.ArgumentException.With.Message.Contains("more than once"));
    }

    [Test]
    public void RejectsAnUnfinishedRun()
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, 1, 2, _ => new MeasurePoint(10, 1), 0.1);
        Assert.That(() => BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [run], SyntheticBeacons.Provenance),
            Throws.ArgumentException.With.Message.Contains("2 of the grid's 3 epochs"));
    }

    [Test]
    public void RejectsAGridWhereEveryRunDiverged()
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, 1, 2, _ => new MeasurePoint(10, 1), 0.9, diverged: true);
        Assert.That(() => BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [run], SyntheticBeacons.Provenance),
            Throws.ArgumentException.With.Message.Contains("No run finished"));
    }
}
