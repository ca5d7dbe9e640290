using System.Diagnostics;
using System.Text.Json;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.GridRuns;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Tests.Grid;

/// <summary>Grids with real processes: SIGKILL and resume, shards and merge.</summary>
public sealed class GridResumeTests
{
    private static string[] GridArgs(string data, string output, params string[] extra) =>
    [
        "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-sizes", "8,16,32", "--learning-rates", "0.05,0.1",
        "--seeds", "1", "--epochs", "3", "--probe-interval", "2", "--parallel", "2", "--output", output, .. extra,
    ];

    /// <summary>What must not depend on how the grid was executed: everything but wall times.</summary>
    private static string Deterministic(BeaconRun run) => JsonSerializer.Serialize(new
    {
        run.Id,
        run.Diverged,
        Epochs = run.Epochs.Select(e => new { e.Epoch, e.Iterations, e.TrainLoss, e.TestLoss, e.TestError, e.CumulativeCondition, e.CumulativeEnergy, e.MeanRank }),
    });

    [Test]
    public async Task KilledGridResumesWithoutLosingOrRepeatingRuns()
    {
        string data = TinyIdx.Write(train: 400);
        string output = Path.Combine(data, "grid");
        string runs = Path.Combine(output, "runs");
        using (Process grid = GridProcess.Start(GridArgs(data, output)))
        {
            var clock = Stopwatch.StartNew();
            while (!(Directory.Exists(runs) && Directory.GetFiles(runs, "*.json").Length >= 1) && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(50);
            }

            grid.Kill(entireProcessTree: false); // SIGKILL of the runner only: its children must notice and stop.
            await grid.WaitForExitAsync();
        }

        var before = Directory.GetFiles(runs, "*.json").ToDictionary(f => f, File.ReadAllBytes);
        Assert.That(before, Is.Not.Empty, "no run finished before the kill");

        // Orphaned children stop within a few seconds (they poll their parent every second).
        var wait = Stopwatch.StartNew();
        while (GridProcess.ProcessesWith(output).Length > 0 && wait.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(200);
        }

        Assert.That(GridProcess.ProcessesWith(output), Is.Empty, "orphaned training processes are still running");

        (int code, string log) = await GridProcess.RunAsync(GridArgs(data, output, "--map", Path.Combine(data, "map.json")));
        Assert.That(code, Is.EqualTo(0), log);
        string[] after = Directory.GetFiles(runs, "*.json");
        Assert.Multiple(() =>
        {
            Assert.That(after, Has.Length.EqualTo(6));
            foreach ((string file, byte[] bytes) in before)
            {
                Assert.That(File.ReadAllBytes(file), Is.EqualTo(bytes), $"{file} was rewritten: a finished run was repeated");
            }

            Assert.That(log, Does.Contain($"{6 - before.Count} pending"));
        });
    }

    [Test]
    public async Task AKilledGridContinuesItsUnfinishedRunFromItsCheckpoint_ToTheRunOfAnUndisturbedGrid()
    {
        // Before, a restarted grid emptied the work folders: a 13-minute convnet run stopped in its last epoch started over.
        string data = TinyIdx.Write(train: 2000);
        string[] Args(string output) =>
        [
            "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-sizes", "8", "--learning-rates", "0.05",
            "--seeds", "1", "--epochs", "5", "--probe-interval", "2", "--parallel", "1", "--output", output,
        ];
        string undisturbed = Path.Combine(data, "undisturbed"), killed = Path.Combine(data, "killed");
        string log = Path.Combine(killed, "work", "b0008-lr0.05-s1", "epochs.jsonl");
        string[] loggedBeforeKill;
        using (Process grid = GridProcess.Start(Args(killed)))
        {
            // Two epochs logged: the first epoch's checkpoint is written.
            await GridProcess.WaitForLines(grid, log, 2);
            grid.Kill(entireProcessTree: true);
            await grid.WaitForExitAsync();
            loggedBeforeKill = File.ReadAllLines(log);
        }

        Assert.That(loggedBeforeKill, Has.Length.InRange(2, 4), "the kill did not land inside the run");
        Assert.That(File.Exists(Path.Combine(killed, "runs", "b0008-lr0.05-s1.json")), Is.False);

        (int code, string output) = await GridProcess.RunAsync(Args(killed));
        Assert.That(code, Is.EqualTo(0), output);
        (code, output) = await GridProcess.RunAsync(Args(undisturbed));
        Assert.That(code, Is.EqualTo(0), output);

        BeaconRun continued = GridStore.ReadRun(Path.Combine(killed, "runs", "b0008-lr0.05-s1.json"));
        BeaconRun reference = GridStore.ReadRun(Path.Combine(undisturbed, "runs", "b0008-lr0.05-s1.json"));
        string[] keptLines = loggedBeforeKill.Take(continued.ResumedAfterEpoch ?? 0).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(continued.ResumedAfterEpoch, Is.InRange(1, loggedBeforeKill.Length), "the run started over");
            Assert.That(
                continued.Epochs.Take(keptLines.Length).Select(e => (e.Epoch, e.TrainSeconds, e.EvalSeconds)),
                Is.EqualTo(keptLines.Select(l => JsonSerializer.Deserialize<Engine.Training.EpochRecord>(l, AutoBatch.Controller.Output.EpochLog.Json)!).Select(e => (e.Epoch, e.TrainSeconds, e.EvalSeconds))),
                "the kept epochs are the ones logged before the kill, not computed again");
            Assert.That(Deterministic(continued), Is.EqualTo(Deterministic(reference)), "the continued run is the undisturbed one");
            Assert.That(reference.ResumedAfterEpoch, Is.Null);
            Assert.That(continued.WallSeconds, Is.GreaterThan(continued.Epochs.Take(keptLines.Length).Sum(e => e.TrainSeconds + e.EvalSeconds)));
        });
    }

    [Test]
    public async Task AGridWithAnEmptyAndACutRunFileRedoesThem_ToTheRunsOfAnUndisturbedGrid()
    {
        // Such files (left by two runners on one folder, or by a copy cut short) counted as finished, and
        // every later rerun failed on them until they were deleted by hand.
        string data = TinyIdx.Write(train: 200);
        string undisturbed = Path.Combine(data, "undisturbed"), damaged = Path.Combine(data, "damaged");
        (int code, string log) = await GridProcess.RunAsync(GridArgs(data, undisturbed));
        Assert.That(code, Is.EqualTo(0), log);
        Directory.CreateDirectory(Path.Combine(damaged, "runs"));
        foreach (string file in new[] { "grid.json", "shard.json" }.Concat(Directory.GetFiles(Path.Combine(undisturbed, "runs")).Select(f => Path.Combine("runs", Path.GetFileName(f)))))
        {
            File.Copy(Path.Combine(undisturbed, file), Path.Combine(damaged, file));
        }

        string empty = Path.Combine(damaged, "runs", "b0008-lr0.05-s1.json"), cut = Path.Combine(damaged, "runs", "b0032-lr0.1-s1.json");
        File.WriteAllText(empty, string.Empty);
        byte[] whole = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);
        var untouched = Directory.GetFiles(Path.Combine(damaged, "runs")).Where(f => f != empty && f != cut).ToDictionary(f => f, File.ReadAllBytes);

        (code, log) = await GridProcess.RunAsync(GridArgs(data, damaged));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(log, Does.Contain("2 pending"));
            Assert.That(log, Does.Contain($"Run b0008-lr0.05-s1 is redone: {empty}: not a valid BeaconRun file: "));
            Assert.That(log, Does.Contain($"Run b0032-lr0.1-s1 is redone: {cut}: not a valid BeaconRun file: "));
            Assert.That(FolderContents.Of(Path.Combine(damaged, "runs")), Is.EqualTo(FolderContents.Of(Path.Combine(undisturbed, "runs"))), "runs as the undisturbed grid's");
            foreach ((string file, byte[] bytes) in untouched)
            {
                Assert.That(File.ReadAllBytes(file), Is.EqualTo(bytes), $"{file} was redone though it was whole");
            }

            Assert.That(
                BeaconMapFile.Read(Path.Combine(damaged, "map.json")).Runs.Select(Deterministic),
                Is.EqualTo(BeaconMapFile.Read(Path.Combine(undisturbed, "map.json")).Runs.Select(Deterministic)));
        });
    }

    [Test]
    public async Task AGracefullyStoppedGridLeavesNoTrainingProcesses()
    {
        // SIGTERM (Ctrl-C, a scheduler's stop) takes the graceful path: the runner kills its children itself.
        string data = TinyIdx.Write(train: 400);
        string output = Path.Combine(data, "grid");
        using Process grid = GridProcess.Start(GridArgs(data, output));
        var clock = Stopwatch.StartNew();
        while (GridProcess.ProcessesWith(output).Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        using (Process term = Process.Start("kill", ["-TERM", grid.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await grid.WaitForExitAsync();
        var wait = Stopwatch.StartNew();
        while (GridProcess.ProcessesWith(output).Length > 0 && wait.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200);
        }

        Assert.That(GridProcess.ProcessesWith(output), Is.Empty, "training processes (running or stopped) outlived a graceful stop");
    }

    [Test]
    public async Task ShardsMergeToTheSameRunsAsTheWholeGrid()
    {
        string data = TinyIdx.Write(train: 200);
        string whole = Path.Combine(data, "whole");
        (int code, string log) = await GridProcess.RunAsync(GridArgs(data, whole, "--map", Path.Combine(data, "whole.json")));
        Assert.That(code, Is.EqualTo(0), log);
        string[] shards = [Path.Combine(data, "s0"), Path.Combine(data, "s1"), Path.Combine(data, "s2")];
        for (int i = 0; i < shards.Length; i++)
        {
            (int c, string l) = await GridProcess.RunAsync(GridArgs(data, shards[i], "--shard", $"{i}/3"));
            Assert.That(c, Is.EqualTo(0), l);
            Assert.That(Directory.GetFiles(Path.Combine(shards[i], "runs")), Has.Length.EqualTo(2), "each shard of 6 runs in 3 holds 2");
        }

        var (grid, merged, missing, unusable) = ShardMerger.Merge(shards);
        IReadOnlyList<BeaconRun> reference = new GridStore(whole, grid).LoadFinished();
        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Empty);
            Assert.That(unusable, Is.Empty);
            Assert.That(merged.Select(Deterministic), Is.EqualTo(reference.Select(Deterministic)));
        });

        (int mergeCode, string mergeLog) = await GridProcess.RunAsync("merge", "--grids", shards[0], shards[1], shards[2], "--output", Path.Combine(data, "merged.json"));
        Assert.That(mergeCode, Is.EqualTo(0), mergeLog);

        // The two maps agree in everything but provenance and timings.
        BeaconMap wholeMap = BeaconMapFile.Read(Path.Combine(data, "whole.json"));
        BeaconMap mergedMap = BeaconMapFile.Read(Path.Combine(data, "merged.json"));
        Assert.Multiple(() =>
        {
            Assert.That(mergedMap.Runs.Select(Deterministic), Is.EqualTo(wholeMap.Runs.Select(Deterministic)));
            Assert.That(
                mergedMap.Derived.BestBeacons.Select(b => (b.Label, b.MeanTestError, b.StdTestError)),
                Is.EqualTo(wholeMap.Derived.BestBeacons.Select(b => (b.Label, b.MeanTestError, b.StdTestError))));
            Assert.That(mergedMap.Derived.Region.Threshold, Is.EqualTo(wholeMap.Derived.Region.Threshold));
            Assert.That(File.Exists(Path.Combine(data, "merged.plots", "contour.svg")), Is.True);
        });
    }

    [Test]
    public async Task MergeRefusesAnIncompleteGridNamingTheMissingRuns()
    {
        string data = TinyIdx.Write(train: 120);
        string shard = Path.Combine(data, "s0");
        (int code, _) = await GridProcess.RunAsync(GridArgs(data, shard, "--shard", "0/3"));
        Assert.That(code, Is.EqualTo(0));
        (int mergeCode, string log) = await GridProcess.RunAsync("merge", "--grids", shard, "--output", Path.Combine(data, "m.json"));
        Assert.Multiple(() =>
        {
            Assert.That(mergeCode, Is.EqualTo(2));
            Assert.That(log, Does.Contain("4 of 6 runs are missing"));
        });
    }

    [Test]
    public void AFolderOfAnotherGridIsRefused()
    {
        string folder = Path.Combine(Path.GetTempPath(), "autobatch-grid-" + Guid.NewGuid().ToString("N"));
        var grid = new GridSpec { Model = "mlp", Data = Engine.Data.DataSetKind.Mnist, BatchSizes = [8], LearningRates = [0.1], Seeds = [1], Epochs = 2, ProbeInterval = 5 };
        _ = new GridStore(folder, grid);
        var e = Assert.Throws<UserInputException>(() => new GridStore(folder, grid with { Epochs = 3 }));
        Assert.That(e!.Message, Does.Contain("grid.json").And.Contain("different grid"));
    }
}
