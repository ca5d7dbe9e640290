using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Policies;

/// <summary>The closed loop's change margin, hand-worked from the final errors of small maps.</summary>
public sealed class MapModelNoiseTests
{
    // One run per (batch size, seed) at α = 0.05 over 3 epochs; the test errors of the last two epochs are given.
    private static BeaconMap Map(params (int BatchSize, long Seed, double Before, double Final)[] runs)
    {
        var beaconRuns = runs.Select(r => new BeaconRun
        {
            Id = new RunKey(r.BatchSize, 0.05, r.Seed).Id,
            BatchSize = r.BatchSize,
            LearningRate = 0.05,
            Seed = r.Seed,
            Diverged = false,
            WallSeconds = 1,
            Epochs = new[] { 0.3, r.Before, r.Final }.Select((error, i) => PolicyContexts.Record(i + 1) with { BatchSize = r.BatchSize, TestError = error }).ToArray(),
        }).ToList();
        var grid = new GridSpec
        {
            Model = "mlp", Data = DataSetKind.FashionMnist, BatchSizes = runs.Select(r => r.BatchSize).Distinct().Order().ToArray(), LearningRates = [0.05],
            Seeds = runs.Select(r => r.Seed).Distinct().Order().ToArray(), Epochs = 3, ProbeInterval = 10,
        };
        var provenance = new Provenance { Command = "test", Commit = "0", Date = "2026-01-01", Machine = "test", ThreadsPerRun = 1, ParallelRuns = 1, RunSeconds = 0, WallSeconds = 0 };
        return BeaconMapBuilder.Build(grid, beaconRuns, provenance);
    }

    [Test]
    public void TwoSeedsGiveThePooledSeedDeviationAsTheMargin()
    {
        // Final errors 0.10/0.12 (s² = 2·0.01²), 0.10/0.10 (0), 0.11/0.14 (2·0.015²), one degree of freedom each:
        // σ̂ = sqrt((0.0002 + 0 + 0.00045) / 3) = 0.0147196; n = 2, so m = σ̂ · sqrt(2/2) = σ̂. The mean of the three
        // standard deviations (the tolerance's estimate) is (0.0141421 + 0 + 0.0212132) / 3 = 0.0117851.
        var model = new MapModel(Map(
            (32, 1, 0.2, 0.10), (32, 2, 0.2, 0.12), (64, 1, 0.2, 0.10), (64, 2, 0.2, 0.10), (128, 1, 0.2, 0.11), (128, 2, 0.2, 0.14)));
        Assert.Multiple(() =>
        {
            Assert.That(model.NoiseFromSeeds, Is.True);
            Assert.That(model.FinalErrorNoise, Is.EqualTo(Math.Sqrt(0.00065 / 3)).Within(1e-12));
            Assert.That(model.SeedsPerConfiguration, Is.EqualTo(2).Within(1e-12));
            Assert.That(model.ChangeMargin, Is.EqualTo(0.0147196).Within(1e-7));
            Assert.That(model.SeedErrorStd, Is.EqualTo(0.0117851).Within(1e-7));
        });
    }

    [Test]
    public void UnequalSeedCountsPoolByDegreesOfFreedomAndUseTheHarmonicMean()
    {
        // 32: 0.10, 0.12, 0.14 (mean 0.12, Σ(e − m)² = 0.0008, 2 dof); 64: 0.10, 0.11 (0.00005, 1 dof); 128: one seed.
        // σ̂ = sqrt(0.00085 / 3); n = 3 / (1/3 + 1/2 + 1) = 1.636364; m = σ̂ · sqrt(2 / n).
        var model = new MapModel(Map(
            (32, 1, 0.2, 0.10), (32, 2, 0.2, 0.12), (32, 3, 0.2, 0.14), (64, 1, 0.2, 0.10), (64, 2, 0.2, 0.11), (128, 1, 0.2, 0.13)));
        double sigma = Math.Sqrt(0.00085 / 3), n = 3 / (1.0 / 3 + 1.0 / 2 + 1);
        Assert.Multiple(() =>
        {
            Assert.That(model.FinalErrorNoise, Is.EqualTo(sigma).Within(1e-12));
            Assert.That(model.SeedsPerConfiguration, Is.EqualTo(n).Within(1e-12));
            Assert.That(model.ChangeMargin, Is.EqualTo(sigma * Math.Sqrt(2 / n)).Within(1e-12));
        });
    }

    [Test]
    public void OneSeedFallsBackToTheLastEpochsChange()
    {
        // Last-epoch changes −0.01, +0.03, 0: σ̂ = sqrt((0.0001 + 0.0009 + 0) / (2 · 3)) = 0.0129099; n = 1, so
        // m = σ̂ · sqrt(2) = 0.0182574.
        var model = new MapModel(Map((32, 1, 0.12, 0.11), (64, 1, 0.10, 0.13), (128, 1, 0.20, 0.20)));
        Assert.Multiple(() =>
        {
            Assert.That(model.NoiseFromSeeds, Is.False);
            Assert.That(model.FinalErrorNoise, Is.EqualTo(0.0129099).Within(1e-7));
            Assert.That(model.ChangeMargin, Is.EqualTo(0.0182574).Within(1e-7));
        });
    }

    [Test]
    public void ThePrebuiltMapsMargins()
    {
        // Recomputed from the map files independently (python, from the runs' last-epoch test errors): the MLP map's 18
        // usable configurations have two seeds each, pooled σ̂ = 0.24435 points; the ResNet-8 map (full training set) has
        // 20 configurations with two seeds each, pooled σ̂ = 0.18076 points. Two seeds: the margin is σ̂·√(2/2) = σ̂.
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "AutoBatch.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
        }

        var mlp = new MapModel(BeaconMapFile.Read(Path.Combine(root, "beacon-data", "fashion-mnist-mlp.json")));
        var resnet = new MapModel(BeaconMapFile.Read(Path.Combine(root, "beacon-data", "fashion-mnist-resnet8.json")));
        Assert.Multiple(() =>
        {
            Assert.That(mlp.NoiseFromSeeds, Is.True);
            Assert.That(mlp.ChangeMargin, Is.EqualTo(0.0024435).Within(1e-7));
            Assert.That(resnet.NoiseFromSeeds, Is.True);
            Assert.That(resnet.FinalErrorNoise, Is.EqualTo(0.0018076).Within(1e-7));
            Assert.That(resnet.ChangeMargin, Is.EqualTo(0.0018076).Within(1e-7));
        });
    }
}
