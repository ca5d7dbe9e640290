using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>The compare and report verbs as real processes on a tiny data set (a few seconds of training).</summary>
public sealed class CompareProcessTests
{
    [Test]
    public async Task OneRunFinishesIsNotRepeatedAndAnotherSpecIsRefused()
    {
        string data = TinyIdx.Write(train: 160);
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, TinyMap());
        string output = Path.Combine(data, "compare");
        string[] args = ["compare", "--map", map, "--schedules", "s16", "--seeds", "1", "--data-path", data, "--output", output];

        (int code, string log) = await GridProcess.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), log);
        string summary = Path.Combine(output, "runs", "s16-s1", RunSession.SummaryName);
        byte[] before = File.ReadAllBytes(summary);

        (code, log) = await GridProcess.RunAsync(args);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(log, Does.Contain("0 runs pending"));
            Assert.That(File.ReadAllBytes(summary), Is.EqualTo(before), "the finished run was repeated");
            Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("| s16 |"));
        });

        (code, log) = await GridProcess.RunAsync(args.Select(a => a == "s16" ? "s16,s32" : a).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("holds another comparison").And.Contain("--schedules s16 (folder) vs s16,s32 (now)"));
        });

        // report --map with a map of another model: refused, the report left as it was (before: written with the
        // other map's best beacon as the reference, under the old map's name).
        string otherMap = Path.Combine(data, "resnet-map.json");
        BeaconMap tiny = TinyMap();
        BeaconMapFile.Write(otherMap, tiny with { Grid = tiny.Grid with { Model = "resnet8" } });
        byte[] report = File.ReadAllBytes(Path.Combine(output, "report.md"));
        (code, log) = await GridProcess.RunAsync("report", "--compare", output, "--map", otherMap);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain($"{otherMap}: the map is for resnet8 on MNIST"));
            Assert.That(File.ReadAllBytes(Path.Combine(output, "report.md")), Is.EqualTo(report));
        });
    }

    [Test]
    public void TheComparisonKeepsItsMapAsAFullPath_SoReportFindsItFromAnyFolder()
    {
        CompareSpec spec = AutoBatch.Controller.Verbs.Compare.CompareService.ToSpec(
            new AutoBatch.Controller.Verbs.Compare.CompareOptions { Map = Path.Combine("maps", "m.json"), Schedules = "s16", Seeds = "1" }, TinyMap());

        Assert.That(spec.Map, Is.EqualTo(Path.GetFullPath(Path.Combine("maps", "m.json"))));
    }

    [TestCase(0.3)]
    [TestCase(0.65)]
    public async Task ACompareKilledAtARandomMomentResumesToTheSameRecords(double shareOfTheRun)
    {
        string data = TinyIdx.Write(train: 800, test: 60);
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, TinyMap());
        // The kill comes once the slower run (s4) has logged that share of its 24 epochs, plus half an epoch at the pace
        // so far, so that it lands inside an epoch and inside the comparison however fast the machine is and however its
        // load changes (a delay taken from the reference run's wall time ended after the comparison when the load fell).
        string[] Args(string output) =>
            ["compare", "--map", map, "--schedules", "s4,s8", "--seeds", "1", "--epochs", "24", "--data-path", data, "--output", output, "--parallel", "2"];
        string reference = Path.Combine(data, "reference"), killed = Path.Combine(data, "killed");
        (int code, string log) = await GridProcess.RunAsync(Args(reference));
        Assert.That(code, Is.EqualTo(0), log);
        int epochs = (int)Math.Round(24 * shareOfTheRun);
        string progress = Path.Combine(killed, "runs", "s4-s1", "epochs.jsonl");

        using (System.Diagnostics.Process compare = GridProcess.Start(Args(killed)))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await GridProcess.WaitForLines(compare, progress, epochs);
            await Task.WhenAny(compare.WaitForExitAsync(), Task.Delay(clock.Elapsed / (2 * epochs)));
            bool running = !compare.HasExited;
            if (running)
            {
                compare.Kill(entireProcessTree: false); // SIGKILL of the runner only: its runs must notice and stop
            }

            await compare.WaitForExitAsync();
            Assert.That(running, Is.True, $"the comparison ended by itself before {epochs} of s4's epochs were logged and half an epoch more; make it longer");
        }

        var wait = System.Diagnostics.Stopwatch.StartNew();
        while (GridProcess.ProcessesWith(killed).Length > 0 && wait.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(200);
        }

        Assert.That(GridProcess.ProcessesWith(killed), Is.Empty, "orphaned runs are still training");
        (code, log) = await GridProcess.RunAsync(Args(killed));
        Assert.That(code, Is.EqualTo(0), log);
        foreach (string run in new[] { "s4-s1", "s8-s1" })
        {
            static string Records(string folder) => System.Text.Json.JsonSerializer.Serialize(
                AutoBatch.Controller.Output.EpochLog.Read(Path.Combine(folder, "epochs.jsonl")).Select(r => r with { TrainSeconds = 0, TrainCpuSeconds = 0, ProbeSeconds = 0, EvalSeconds = 0 }));
            Assert.That(Records(Path.Combine(killed, "runs", run)), Is.EqualTo(Records(Path.Combine(reference, "runs", run))), run);
        }
    }

    [Test]
    [Category("Slow")]
    public async Task CompareRunsEveryRunOnceRefusesAnotherSpecAndReportRebuilds()
    {
        string data = TinyIdx.Write(train: 160);
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, TinyMap());
        string output = Path.Combine(data, "compare");
        string[] args = ["compare", "--map", map, "--schedules", "best,s16", "--seeds", "1,2", "--data-path", data, "--output", output, "--parallel", "2"];

        (int code, string log) = await GridProcess.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), log);
        string[] summaries = Directory.GetFiles(Path.Combine(output, "runs"), RunSession.SummaryName, SearchOption.AllDirectories).Order().ToArray();
        var before = summaries.ToDictionary(f => f, File.ReadAllBytes);
        ComparisonReport report = System.Text.Json.JsonSerializer.Deserialize<ComparisonReport>(File.ReadAllText(Path.Combine(output, "report.json")), CompareSpec.Json)!;
        Assert.Multiple(() =>
        {
            Assert.That(summaries.Select(f => Path.GetFileName(Path.GetDirectoryName(f))), Is.EqualTo(new[] { "best-s1", "best-s2", "s16-s1", "s16-s2" }));
            Assert.That(report.Missing, Is.Empty);
            Assert.That(report.Reference.Source, Is.EqualTo("schedule"));
            Assert.That(report.Schedules.Select(s => s.TestError.Count), Is.EqualTo(new[] { 2, 2 }));
            Assert.That(report.Schedules[1].VersusReference, Is.Not.Null);
        });

        // Same command again: nothing pending, nothing rerun.
        (code, log) = await GridProcess.RunAsync(args);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(log, Does.Contain("0 runs pending"));
            foreach ((string file, byte[] bytes) in before)
            {
                Assert.That(File.ReadAllBytes(file), Is.EqualTo(bytes), $"{file} was rewritten: a finished run was repeated");
            }
        });

        // Another comparison into the same folder is refused (bad input), naming the difference.
        (code, log) = await GridProcess.RunAsync(args.Select(a => a == "1,2" ? "1,2,3" : a).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("holds another comparison").And.Contain("--seeds 1,2 (folder) vs 1,2,3 (now)"));
        });

        File.Delete(Path.Combine(output, "report.md"));
        (code, log) = await GridProcess.RunAsync("report", "--compare", output);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("| **best** |"));
        });
    }

    [Test]
    public async Task ReportOnAFolderWithoutASpecIsBadInput()
    {
        (int code, string log) = await GridProcess.RunAsync("report", "--compare", SyntheticRuns.TempFolder());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("--compare"));
        });
    }

    /// <summary>A synthetic map of the tiny MLP on the tiny MNIST files: two epochs, B = 16 and 32, α = 0.05.</summary>
    internal static BeaconMap TinyMap()
    {
        var grid = new GridSpec
        {
            Model = "mlp:32",
            Data = DataSetKind.Mnist,
            BatchSizes = [16, 32],
            LearningRates = [0.05],
            Seeds = [1],
            Epochs = 2,
            ProbeInterval = 2,
        };
        BeaconRun Run(int b, double error) => new()
        {
            Id = new RunKey(b, 0.05, 1).Id,
            BatchSize = b,
            LearningRate = 0.05,
            Seed = 1,
            Diverged = false,
            WallSeconds = 1,
            Epochs = Enumerable.Range(1, 2).Select(e => SyntheticRuns.Epoch(e, 100.0 / b * e, 0.01 * b * e, 1, 0.1, error)).ToArray(),
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
        return BeaconMapBuilder.Build(grid, [Run(16, 0.3), Run(32, 0.4)], provenance);
    }
}
