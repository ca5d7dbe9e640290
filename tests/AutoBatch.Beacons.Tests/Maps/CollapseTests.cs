using System.Text.Json.Nodes;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Data;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class CollapseTests
{
    private static readonly int[] Batches = [16, 32, 64];
    private static readonly double[] Rates = [0.05, 0.1, 0.2];

    [TestCase(10, 0.85)]
    [TestCase(100, 0.94)]
    [TestCase(2, 0.45)]
    public void TheThresholdIsChanceLevelLessTheMargin(int classes, double expected) =>
        Assert.That(CollapseRule.Threshold(classes), Is.EqualTo(expected).Within(1e-15));

    [Test]
    public void TheThresholdFollowsTheDataSetsClasses() =>
        Assert.Multiple(() =>
        {
            Assert.That(CollapseRule.Threshold(DataSetKind.FashionMnist), Is.EqualTo(0.85).Within(1e-15));
            Assert.That(CollapseRule.Threshold(DataSetKind.Cifar100), Is.EqualTo(0.94).Within(1e-15));
        });

    // A 3 x 3 grid of good runs; s64-lr0.2 finishes at 0.90 without a NaN, s16-lr0.2 at 0.84 (bad but learning).
    private static List<BeaconRun> Runs(double collapsedError = 0.9)
    {
        var runs = new List<BeaconRun>();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                int b = Batches[i];
                double lr = Rates[j];
                double error = (b, lr) switch
                {
                    (64, 0.2) => collapsedError,
                    (16, 0.2) => 0.84,
                    _ => 0.1 + 0.01 * (i + j),
                };
                runs.Add(SyntheticBeacons.Run(b, lr, 1, 3, e => new MeasurePoint(10 * (i + 1) + e, (j + 1) * 0.5 * e), error));
            }
        }

        return runs;
    }

    private static BeaconMap Build(IReadOnlyList<BeaconRun> runs) =>
        BeaconMapBuilder.Build(SyntheticBeacons.Grid(Batches, Rates, [1], 3), runs, SyntheticBeacons.Provenance);

    [Test]
    public void ARunAtChanceWithoutNaNIsFlaggedAndLeftOffLikeADivergedOne()
    {
        List<BeaconRun> runs = Runs();
        BeaconMap map = Build(runs);
        BeaconMap without = Build(runs.Where(r => r.Id != "b0064-lr0.2-s1").ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(map.Runs.Where(r => r.Collapsed).Select(r => r.Id), Is.EqualTo(new[] { "b0064-lr0.2-s1" }));
            Assert.That(map.Runs.Single(r => r.Id == "b0064-lr0.2-s1").Diverged, Is.False);
            Assert.That(map.Derived.CollapsedRuns, Is.EqualTo(new[] { "b0064-lr0.2-s1" }));
            Assert.That(map.Derived.DivergedRuns, Is.Empty);
            Assert.That(map.Derived.CollapseThreshold, Is.EqualTo(0.85).Within(1e-15));
            Assert.That(map.Derived.Configurations, Is.EqualTo(8), "0.84 stays in, 0.90 goes");
            Assert.That(map.Derived.Region.MaximumError, Is.LessThan(0.85));
            Assert.That(map.Derived.Region.Threshold, Is.EqualTo(without.Derived.Region.Threshold));
            Assert.That(map.Derived.Region.Surface.Values.SelectMany(v => v), Is.EqualTo(without.Derived.Region.Surface.Values.SelectMany(v => v)));
            Assert.That(map.Derived.Relations!.EnergyWithLearningRate.Pooled.Configurations, Is.EqualTo(8));
            Assert.That(map.Derived.EarlyPrediction.Select(p => p.Configurations), Has.All.EqualTo(8));
        });
    }

    [Test]
    public void ARunJustBelowTheThresholdIsKept()
    {
        BeaconMap map = Build(Runs(collapsedError: 0.8499));
        Assert.Multiple(() =>
        {
            Assert.That(map.Derived.CollapsedRuns, Is.Empty);
            Assert.That(map.Derived.Configurations, Is.EqualTo(9));
            Assert.That(map.Derived.Region.MaximumError, Is.GreaterThan(0.84));
        });
    }

    [Test]
    public void ACollapsedSeedIsCountedApartFromTheStatistics()
    {
        // s16-lr0.05 with two seeds, the second collapsed: its best beacon has one seed, one collapsed seed.
        List<BeaconRun> runs = Runs();
        runs.Add(SyntheticBeacons.Run(16, 0.05, 2, 3, e => new MeasurePoint(11, 0.5 * e), 0.9));
        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid(Batches, Rates, [1, 2], 3), runs, SyntheticBeacons.Provenance);
        BestBeacon best = map.Derived.BestBeacons[0];
        Assert.Multiple(() =>
        {
            Assert.That(best.Label, Is.EqualTo("s16-lr0.05"));
            Assert.That(best.Seeds, Is.EqualTo(1));
            Assert.That(best.CollapsedSeeds, Is.EqualTo(1));
            Assert.That(best.DivergedSeeds, Is.Zero);
            Assert.That(best.MeanTestError, Is.EqualTo(0.1).Within(1e-15));
        });
    }

    [Test]
    public void ADivergedRunAtChanceIsDivergedNotCollapsed()
    {
        List<BeaconRun> runs = Runs();
        runs[0] = SyntheticBeacons.Run(16, 0.05, 1, 2, _ => new MeasurePoint(10, 1), 0.9, diverged: true);
        BeaconMap map = Build(runs);
        Assert.Multiple(() =>
        {
            Assert.That(map.Derived.DivergedRuns, Is.EqualTo(new[] { "b0016-lr0.05-s1" }));
            Assert.That(map.Derived.CollapsedRuns, Is.EqualTo(new[] { "b0064-lr0.2-s1" }));
        });
    }

    [Test]
    public void TheFlagIsStoredOnlyWhenSetAndReadsBack()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Build(Runs()));
        string text = File.ReadAllText(path);
        BeaconMap read = BeaconMapFile.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(text.Split("\"collapsed\": true").Length - 1, Is.EqualTo(1));
            Assert.That(text, Does.Not.Contain("\"collapsed\": false"));
            Assert.That(read.Runs.Where(r => r.Collapsed).Select(r => r.Id), Is.EqualTo(new[] { "b0064-lr0.2-s1" }));
            Assert.That(read.Derived.Relations, Is.Not.Null);
        });
    }

    [Test]
    public void AMapWrittenBeforeCollapseDetectionAndRelationsStillReads()
    {
        // The same file without any of the fields added to schema 1 since: what an older build wrote.
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Build(Runs()));
        JsonObject o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        foreach (JsonNode? run in o["runs"]!.AsArray())
        {
            run!.AsObject().Remove("collapsed");
        }

        JsonObject derived = o["derived"]!.AsObject();
        derived.Remove("collapseThreshold");
        derived.Remove("collapsedRuns");
        derived.Remove("relations");
        foreach (JsonNode? best in derived["bestBeacons"]!.AsArray())
        {
            best!.AsObject().Remove("collapsedSeeds");
        }

        string old = folder.File("old.json");
        File.WriteAllText(old, o.ToJsonString());
        Assert.That(File.ReadAllText(old), Does.Not.Contain("collapse").And.Not.Contain("relations"));
        BeaconMap read = BeaconMapFile.Read(old, "mlp", DataSetKind.FashionMnist);
        Assert.Multiple(() =>
        {
            Assert.That(read.SchemaVersion, Is.EqualTo(1));
            Assert.That(read.Runs.Any(r => r.Collapsed), Is.False);
            Assert.That(read.Derived.CollapsedRuns, Is.Empty);
            Assert.That(read.Derived.CollapseThreshold, Is.Null);
            Assert.That(read.Derived.Relations, Is.Null);
            Assert.That(read.Derived.BestBeacons.Select(b => b.CollapsedSeeds), Has.All.Zero);
        });
    }
}
