using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>Report aggregation on synthetic run folders with hand-worked statistics.</summary>
public sealed class ReportBuilderTests
{
    private static readonly CompareSpec Spec = new()
    {
        Map = "map.json",
        Schedules = ["best", "closed-loop", "s32"],
        Seeds = [1, 2, 3],
        Epochs = 5,
    };

    /// <summary>
    /// best: errors 0.10/0.12/0.14, 1000 iterations, 2.0/2.2/2.4 s and 0.1/0.2/0.3 s probe per epoch;
    /// closed-loop: errors 0.11/0.13/0.15, 600/700/800 iterations, 2/3/4 changes, measures (10e, 1e) and (40e, 4e) for
    /// seeds 1 and 2 and unusable for seed 3; s32: seed 1 finished, seed 2 diverged, seed 3 interrupted after 2 epochs.
    /// </summary>
    private static string WriteComparison()
    {
        string folder = SyntheticRuns.TempFolder();
        double[] bestErrors = [0.10, 0.12, 0.14];
        for (int s = 1; s <= 3; s++)
        {
            CompareRun best = SyntheticRuns.Run("best", s);
            SyntheticRuns.Write(folder, best, SyntheticRuns.Summary(best, bestErrors[s - 1], 1000), SyntheticRuns.Epochs(1.8 + 0.2 * s, 0.1 * s));
            CompareRun loop = SyntheticRuns.Run("closed-loop", s);
            double scale = s switch { 1 => 1, 2 => 4, _ => 0 };
            SyntheticRuns.Write(folder, loop, SyntheticRuns.Summary(loop, 0.09 + 0.02 * s, 500 + 100 * s, changes: s + 1), SyntheticRuns.Epochs(1, 0, e => (10 * scale * e, scale * e)));
        }

        CompareRun s1 = SyntheticRuns.Run("s32", 1), s2 = SyntheticRuns.Run("s32", 2), s3 = SyntheticRuns.Run("s32", 3);
        SyntheticRuns.Write(folder, s1, SyntheticRuns.Summary(s1, 0.2, 900), SyntheticRuns.Epochs(1, 0));
        SyntheticRuns.Write(folder, s2, SyntheticRuns.Summary(s2, 0.9, 300, diverged: true), SyntheticRuns.Epochs(1, 0).Take(2));
        SyntheticRuns.Write(folder, s3, summary: null, SyntheticRuns.Epochs(1, 0).Take(2));
        return folder;
    }

    [Test]
    public void AggregatesMeansStdsAndWelchAgainstTheBestSchedule()
    {
        ComparisonReport report = ReportBuilder.Build(WriteComparison(), Spec, map: null);
        ScheduleResult best = report.Schedules[0], loop = report.Schedules[1];
        Assert.Multiple(() =>
        {
            Assert.That(report.Reference.Source, Is.EqualTo("schedule"));
            Assert.That(report.Reference.TestErrors, Is.EqualTo(new[] { 0.10, 0.12, 0.14 }).Within(1e-15));
            Assert.That(best.IsReference, Is.True);
            Assert.That(best.VersusReference, Is.Null);
            Assert.That(best.TestError.Mean, Is.EqualTo(0.12).Within(1e-12));
            Assert.That(best.TestError.Std, Is.EqualTo(0.02).Within(1e-12));

            // Train time = Σ epochs: 5 x 2.0, 2.2, 2.4 = 10, 11, 12 → 11 ± 1; probe 0.5, 1.0, 1.5 → 1.0 ± 0.5.
            Assert.That(best.TrainSeconds.Mean, Is.EqualTo(11).Within(1e-12));
            Assert.That(best.TrainSeconds.Std, Is.EqualTo(1).Within(1e-12));
            Assert.That(best.ProbeSeconds.Mean, Is.EqualTo(1).Within(1e-12));
            Assert.That(best.ProbeSeconds.Std, Is.EqualTo(0.5).Within(1e-12));
            Assert.That(best.SamplesPerSecond.Mean, Is.EqualTo(1002).Within(1e-12));

            Assert.That(loop.TestError.Mean, Is.EqualTo(0.13).Within(1e-12));
            Assert.That(loop.TestError.Std, Is.EqualTo(0.02).Within(1e-12));
            Assert.That(loop.Iterations.Mean, Is.EqualTo(700).Within(1e-12));
            Assert.That(loop.IterationsVersusReference, Is.EqualTo(-0.3).Within(1e-12));
            Assert.That(loop.BatchSizeChanges.Mean, Is.EqualTo(3).Within(1e-12));
            Assert.That(loop.BatchSizeChanges.Std, Is.EqualTo(1).Within(1e-12));

            // Schedule minus reference (positive: worse). Equal n and variances: t = 0.01 / sqrt(2 · 0.0004/3),
            // ν = 2(n − 1) = 4; p from the independent integration.
            Assert.That(loop.VersusReference!.T, Is.EqualTo(0.01 / Math.Sqrt(2 * 0.0004 / 3)).Within(1e-9));
            Assert.That(loop.VersusReference.DegreesOfFreedom, Is.EqualTo(4).Within(1e-9));
            Assert.That(loop.VersusReference.PValue, Is.EqualTo(0.573392253825361).Within(1e-9));
        });
    }

    [Test]
    public void DivergedRunsAreCountedButLeftOutAndMissingRunsAreNamed()
    {
        ComparisonReport report = ReportBuilder.Build(WriteComparison(), Spec, map: null);
        ScheduleResult s32 = report.Schedules[2];
        Assert.Multiple(() =>
        {
            Assert.That(s32.Finished, Is.EqualTo(2));
            Assert.That(s32.Diverged, Is.EqualTo(1));
            Assert.That(s32.TestError.Count, Is.EqualTo(1));
            Assert.That(s32.TestError.Mean, Is.EqualTo(0.2).Within(1e-15));
            Assert.That(s32.TestError.Std, Is.Null);
            Assert.That(s32.VersusReference!.PValue, Is.Null);
            Assert.That(s32.VersusReference.Undefined, Does.Contain("at least 2"));
            Assert.That(report.Runs, Has.Count.EqualTo(8));
            Assert.That(report.Missing, Is.EqualTo(new[] { "s32-s3: interrupted after epoch 2 of 5 (resumes from its checkpoint)" }));
        });
    }

    [Test]
    public void ADamagedOrImpossibleSummary_IsNamedAsTheReasonTheRunDoesNotCount()
    {
        // Before, a corrupt summary.json passed for an interrupted run, and a finalTestError of 7 entered the means as 700%.
        string folder = WriteComparison();
        string corrupt = Path.Combine(SyntheticRuns.Run("best", 2).FolderIn(folder), AutoBatch.Controller.Runs.RunSession.SummaryName);
        string impossible = Path.Combine(SyntheticRuns.Run("best", 3).FolderIn(folder), AutoBatch.Controller.Runs.RunSession.SummaryName);
        File.WriteAllText(corrupt, "{\"policy\": ");
        File.WriteAllText(impossible, File.ReadAllText(impossible).Replace("\"finalTestError\": 0.14", "\"finalTestError\": 7", StringComparison.Ordinal));

        ComparisonReport report = ReportBuilder.Build(folder, Spec, map: null);

        Assert.That(report.Missing, Has.Some.StartsWith($"best-s2: {corrupt}: not a run summary: ").And.Some.EndsWith("; the run is redone by compare"));
        Assert.That(report.Missing, Has.Some.EqualTo($"best-s3: {impossible}: not a valid run summary: finalTestError is 7, expected an error rate in [0, 1]; the run is redone by compare"));
        Assert.That(report.Schedules[0].TestError.Count, Is.EqualTo(1), "only best-s1 counts");
    }

    [Test]
    public void HistoryIsTheGeometricMeanOverSeedsWithUsableMeasures()
    {
        ComparisonReport report = ReportBuilder.Build(WriteComparison(), Spec, map: null);
        IReadOnlyList<HistoryPoint> history = report.Schedules[1].History;

        // 5 epochs: 5% and 20% → epoch 1, 40% → 2, 60% → 3, 80% → 4, 100% → 5. Seeds 1 and 2 have (10e, e) and
        // (40e, 4e): geometric means (20e, 2e); seed 3's zeros are not usable.
        int[] epochs = [1, 1, 2, 3, 4, 5];
        Assert.That(history, Has.Count.EqualTo(6));
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 6; k++)
            {
                Assert.That(history[k].Fraction, Is.EqualTo(ComparisonReport.HistoryFractions[k]));
                Assert.That(history[k].Epoch, Is.EqualTo(epochs[k]));
                Assert.That(history[k].CumulativeCondition, Is.EqualTo(20.0 * epochs[k]).Within(1e-9));
                Assert.That(history[k].CumulativeEnergy, Is.EqualTo(2.0 * epochs[k]).Within(1e-12));
                Assert.That(history[k].Seeds, Is.EqualTo(2));
            }
        });
    }

    [Test]
    public void WithoutABestScheduleTheMapsBestBeaconRunsAreTheReference()
    {
        string folder = SyntheticRuns.TempFolder();
        var spec = new CompareSpec { Map = "map.json", Schedules = ["closed-loop"], Seeds = [1, 2, 3], Epochs = 4 };
        for (int s = 1; s <= 3; s++)
        {
            CompareRun run = SyntheticRuns.Run("closed-loop", s);
            SyntheticRuns.Write(folder, run, SyntheticRuns.Summary(run, 0.09 + 0.02 * s, 600), SyntheticRuns.Epochs(1, 0).Take(4));
        }

        ComparisonReport report = ReportBuilder.Build(folder, spec, Map());
        WelchResult welch = report.Schedules[0].VersusReference!;
        Assert.Multiple(() =>
        {
            // The map's best configuration is B=32 (errors 0.10 and 0.14, mean 0.12 < 0.21 for B=128).
            Assert.That(report.Reference.Source, Is.EqualTo("map"));
            Assert.That(report.Reference.Label, Does.Contain("s32-lr0.05"));
            Assert.That(report.Reference.TestErrors, Is.EqualTo(new[] { 0.10, 0.14 }).Within(1e-15));

            // 4 epochs of ceil(6000 / 32) = 188 steps.
            Assert.That(report.Reference.Iterations, Is.EqualTo(752));
            Assert.That(report.Schedules[0].IterationsVersusReference, Is.EqualTo(600.0 / 752 - 1).Within(1e-12));

            // {0.11, 0.13, 0.15} vs {0.10, 0.14}: t = 0.01 / sqrt(0.0004/3 + 0.0008/2); ν and p from the independent integration.
            Assert.That(welch.T, Is.EqualTo(0.01 / Math.Sqrt(0.0004 / 3 + 0.0008 / 2)).Within(1e-9));
            Assert.That(welch.DegreesOfFreedom, Is.EqualTo(1.68421052631579).Within(1e-9));
            Assert.That(welch.PValue, Is.EqualTo(0.714039607705746).Within(1e-8));

            // The map's runs have 5 epochs, the comparison 4: the report says the test is not like for like.
            Assert.That(report.Notes, Has.Some.Contains("not from this comparison's settings"));
        });
    }

    /// <summary>A map with two configurations (B = 32 and 128, α = 0.05), two seeds each, five epochs.</summary>
    internal static BeaconMap Map()
    {
        var grid = new GridSpec
        {
            Model = "mlp",
            Data = DataSetKind.FashionMnist,
            BatchSizes = [32, 128],
            LearningRates = [0.05],
            Seeds = [1, 2],
            Epochs = 5,
            ProbeInterval = 50,
        };
        BeaconRun Run(int b, long seed, double error) => new()
        {
            Id = new RunKey(b, 0.05, seed).Id,
            BatchSize = b,
            LearningRate = 0.05,
            Seed = seed,
            Diverged = false,
            WallSeconds = 10,
            Epochs = Enumerable.Range(1, 5).Select(e => SyntheticRuns.Epoch(e, 5000.0 / b * e, 0.01 * b * e * seed, 1, 0.1, e == 5 ? error : 0.5)).ToArray(),
        };
        var provenance = new Provenance
        {
            Command = "synthetic",
            Commit = "0000000",
            Date = "2025-01-01T00:00:00Z",
            Machine = "test",
            ThreadsPerRun = 1,
            ParallelRuns = 1,
            RunSeconds = 0,
            WallSeconds = 0,
        };
        return BeaconMapBuilder.Build(grid, [Run(32, 1, 0.10), Run(32, 2, 0.14), Run(128, 1, 0.20), Run(128, 2, 0.22)], provenance);
    }
}
