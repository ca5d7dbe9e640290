using System.Diagnostics;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Tests.BadInput;
using AutoBatch.Controller.Tests.Comparison;
using AutoBatch.Controller.Tests.Grid;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// With real processes: one owner per output folder. The same command started twice on one folder (a second
/// terminal, a retried job) is refused at once with exit 2 naming the folder and the holder, and the first finishes
/// with exactly what an undisturbed execution writes (wall times aside); a holder killed with SIGKILL leaves nothing
/// that stops the next command. Before, both ran: a torn epochs.jsonl, or a grid poisoned by run files without epochs.
/// </summary>
public sealed class FolderOwnerTests
{
    private static string[] RunArgs(string data, string output, params string[] extra) =>
    [
        "run", "--map", "", "--schedule", "s4-to-16-MS", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--lr", "0.05",
        "--epochs", "24", "--probe-interval", "3", "--seed", "3", "--threads", "1", "--output", output, .. extra,
    ];

    private static string[] GridArgs(string data, string output) =>
    [
        "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-sizes", "8,16,32", "--learning-rates", "0.05,0.1",
        "--seeds", "1", "--epochs", "3", "--probe-interval", "2", "--parallel", "2", "--output", output,
    ];

    /// <summary>Runs <paramref name="args"/> undisturbed into <paramref name="folder"/>, then moves the result aside; returns where.</summary>
    private static async Task<string> Undisturbed(string[] args, string folder)
    {
        (int code, string log) = await GridProcess.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), log);
        string reference = folder + ".undisturbed";
        Directory.Move(folder, reference);
        return reference;
    }

    /// <summary>
    /// Starts <paramref name="args"/>, and once it holds <paramref name="folder"/> the same command again (or each of
    /// <paramref name="others"/>, with the option that names the folder): each must be refused, naming the folder and the
    /// first's pid, while the first runs on; then the first must succeed.
    /// </summary>
    private static async Task SecondIsRefusedWhileFirstRuns(string[] args, string folder, params (string[] Args, string Option)[] others)
    {
        using Process first = GridProcess.Start(args);
        Task<string> firstOut = first.StandardOutput.ReadToEndAsync();
        Task<string> firstErr = first.StandardError.ReadToEndAsync();
        await FolderContents.WaitForOwner(folder, first);

        // All at once, so that they are refused while the first surely still runs.
        var clock = Stopwatch.StartNew();
        (int Code, string Log, string Option)[] refused = await Task.WhenAll((others.Length == 0 ? [(args, "--output")] : others).Select(
            async o =>
            {
                (int code, string log) = await GridProcess.RunAsync(o.Args);
                return (code, log, o.Option);
            }));

        TimeSpan refusedAfter = clock.Elapsed;
        bool firstStillRunning = !first.HasExited;
        await first.WaitForExitAsync();
        string firstLog = await firstOut + await firstErr;
        Assert.Multiple(() =>
        {
            foreach ((int code, string log, string option) in refused)
            {
                Assert.That(code, Is.EqualTo(2), log);
                Assert.That(log, Does.Contain($"{option}: the folder '{folder}' is in use by another process (pid {first.Id} on host {Environment.MachineName}, since "), log);
                Assert.That(log, Does.Not.Contain("   at "), "no stack trace");
            }

            Assert.That(firstStillRunning, Is.True, $"the first ended before the others were refused ({refusedAfter.TotalSeconds:F1} s); make it longer");
            Assert.That(first.ExitCode, Is.EqualTo(0), firstLog);
        });
    }

    [Test]
    public async Task TwoRunsOnOneFolder_TheSecondIsRefused_AndTheFirstWritesWhatAnUndisturbedRunWrites()
    {
        string data = TinyIdx.Write(train: 2000, test: 60);
        string output = Path.Combine(data, "run");
        string reference = await Undisturbed(RunArgs(data, output), output);

        await SecondIsRefusedWhileFirstRuns(RunArgs(data, output), output);

        SortedDictionary<string, string> written = FolderContents.Of(output);
        Assert.Multiple(() =>
        {
            Assert.That(written.Keys, Is.EqualTo(new[] { FolderLock.LockName, "checkpoint.safetensors", "decisions.jsonl", "epochs.csv", "epochs.jsonl", "summary.json" }));
            Assert.That(written, Is.EqualTo(FolderContents.Of(reference)), "files, bytes (wall times aside) as an undisturbed run's");
        });
    }

    [Test]
    public async Task AHolderKilledWithSigkillLeavesNoLock_TheNextRunResumesWithoutAManualStep()
    {
        string data = TinyIdx.Write(train: 2000, test: 60);
        string output = Path.Combine(data, "run");
        // --resume on a folder without a checkpoint starts afresh; the flag is in both so that their command lines
        // (kept in the checkpoint and the summary) are the same.
        string reference = await Undisturbed(RunArgs(data, output, "--resume"), output);

        using (Process holder = GridProcess.Start(RunArgs(data, output, "--resume")))
        {
            await FolderContents.WaitForOwner(output, holder);
            await Task.Delay(300);
            Assert.That(holder.HasExited, Is.False, "the run ended before the kill; make it longer");
            holder.Kill(entireProcessTree: false); // SIGKILL: no chance to release anything itself
            await holder.WaitForExitAsync();
        }

        Assert.That(File.Exists(Path.Combine(output, FolderLock.OwnerName)), Is.True, "the killed holder's record is left behind, as after a real crash");
        (int code, string log) = await GridProcess.RunAsync(RunArgs(data, output, "--resume"));

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(log, Does.Not.Contain("in use by another process"));
            Assert.That(File.Exists(Path.Combine(output, FolderLock.OwnerName)), Is.False, "a finished holder removes its record");
            Assert.That(FolderContents.Of(output), Is.EqualTo(FolderContents.Of(reference)));
        });
    }

    [Test]
    public async Task TwoBeaconsOnOneFolder_TheSecondIsRefused_AndTheFirstWritesTheRunsOfAnUndisturbedGrid()
    {
        string data = TinyIdx.Write(train: 400);
        string output = Path.Combine(data, "grid");
        string reference = await Undisturbed(GridArgs(data, output), output);

        await SecondIsRefusedWhileFirstRuns(GridArgs(data, output), output);

        BeaconMap map = BeaconMapFile.Read(Path.Combine(output, "map.json")), referenceMap = BeaconMapFile.Read(Path.Combine(reference, "map.json"));
        Assert.Multiple(() =>
        {
            Assert.That(FolderContents.Of(Path.Combine(output, "runs")), Is.EqualTo(FolderContents.Of(Path.Combine(reference, "runs"))));
            Assert.That(FolderContents.Of(Path.Combine(output, "runs")), Has.Count.EqualTo(6));
            Assert.That(Directory.Exists(Path.Combine(output, "work")) ? Directory.GetFiles(Path.Combine(output, "work"), "*", SearchOption.AllDirectories) : [], Is.Empty);
            Assert.That(File.ReadAllText(Path.Combine(output, "grid.json")), Is.EqualTo(File.ReadAllText(Path.Combine(reference, "grid.json"))));
            Assert.That(map.Runs.Select(r => r.Epochs.Select(e => e with { TrainSeconds = 0, TrainCpuSeconds = 0, ProbeSeconds = 0, EvalSeconds = 0 }).ToArray()),
                Is.EqualTo(referenceMap.Runs.Select(r => r.Epochs.Select(e => e with { TrainSeconds = 0, TrainCpuSeconds = 0, ProbeSeconds = 0, EvalSeconds = 0 }).ToArray())));
        });
    }

    [Test]
    public async Task TwoComparesOnOneFolder_TheSecondAndAReportAreRefused_AndTheFirstWritesTheRunsOfAnUndisturbedComparison()
    {
        string data = TinyIdx.Write(train: 800, test: 60);
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, CompareProcessTests.TinyMap());
        string output = Path.Combine(data, "compare");
        string[] args = ["compare", "--map", map, "--schedules", "s4,s8", "--seeds", "1", "--epochs", "24", "--data-path", data, "--output", output, "--parallel", "2"];
        string reference = await Undisturbed(args, output);

        await SecondIsRefusedWhileFirstRuns(args, output, (args, "--output"), (["report", "--compare", output], "--compare"));

        Assert.Multiple(() =>
        {
            foreach (string run in new[] { "s4-s1", "s8-s1" })
            {
                Assert.That(
                    FolderContents.Of(Path.Combine(output, "runs", run), withoutCommands: true, "stdout.log"),
                    Is.EqualTo(FolderContents.Of(Path.Combine(reference, "runs", run), withoutCommands: true, "stdout.log")),
                    run);
            }

            Assert.That(File.ReadAllText(Path.Combine(output, "compare.json")), Is.EqualTo(File.ReadAllText(Path.Combine(reference, "compare.json"))));
            Assert.That(File.Exists(Path.Combine(output, "report.md")), Is.True);
        });
    }

    [Test]
    public async Task TrainAndMergeAreRefusedOnAFolderAnotherOwnerHolds_AndWriteNothing()
    {
        // In one process: locks belong to the open file, so the test's own lock keeps the verbs out as another process's would.
        string data = TinyIdx.Write();
        string output = Path.Combine(data, "train");
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, CompareProcessTests.TinyMap());
        byte[] mapBefore = File.ReadAllBytes(map);
        string grid = Path.Combine(data, "grid");
        var spec = CompareProcessTests.TinyMap().Grid;
        var store = new GridStore(grid, spec);
        foreach (BeaconRun run in CompareProcessTests.TinyMap().Runs)
        {
            store.Save(run);
        }

        CliResult train, merge;
        using (FolderLock.Acquire(output, "--output"))
        using (FolderLock.Acquire(Path.Combine(data, "map.plots"), "--output"))
        {
            train = await Cli.InvokeAsync("train", "--data", "Mnist", "--data-path", data, "--epochs", "1", "--batch-size", "16", "--output", output);
            merge = await Cli.InvokeAsync("merge", "--grids", grid, "--output", map);
        }

        byte[] mapAfterRefusal = File.ReadAllBytes(map);
        CliResult mergeAfter = await Cli.InvokeAsync("merge", "--grids", grid, "--output", map);
        Assert.Multiple(() =>
        {
            Assert.That(train.Exit, Is.EqualTo(ExitCodes.BadInput), train.All);
            Assert.That(train.Stderr, Does.Contain($"train failed: --output: the folder '{output}' is in use by another process (pid {Environment.ProcessId} on host "), train.All);
            Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EqualTo(new[] { FolderLock.LockName }), "the refused train wrote nothing");
            Assert.That(merge.Exit, Is.EqualTo(ExitCodes.BadInput), merge.All);
            Assert.That(merge.Stderr, Does.Contain($"merge failed: --output: the folder '{Path.Combine(data, "map.plots")}' is in use by another process"), merge.All);
            Assert.That(mapAfterRefusal, Is.EqualTo(mapBefore), "the refused merge left the map as it was");
            Assert.That(mergeAfter.Exit, Is.EqualTo(ExitCodes.Ok), mergeAfter.All);
        });
    }

    [Test]
    public async Task AChildWaitsForItsRunFolder_AUserCommandDoesNot()
    {
        // A grid's or comparison's child (--exit-with-parent) may find an orphan of the killed parent still in its
        // folder: it waits for it rather than fail the run.
        string data = TinyIdx.Write();
        string output = Path.Combine(data, "train");
        string[] args = ["train", "--data", "Mnist", "--data-path", data, "--epochs", "1", "--batch-size", "16", "--probe-interval", "0", "--output", output];
        FolderLock orphan = FolderLock.Acquire(output, "--output");
        Task<CliResult> child = Cli.InvokeAsync([.. args, "--exit-with-parent", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await Task.Delay(1500);
        bool waited = !child.IsCompleted;
        orphan.Dispose();
        CliResult done = await child;

        Assert.Multiple(() =>
        {
            Assert.That(waited, Is.True, "the child did not wait for the folder");
            Assert.That(done.Exit, Is.EqualTo(ExitCodes.Ok), done.All);
            Assert.That(File.ReadAllLines(Path.Combine(output, "epochs.jsonl")), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public async Task WhereTheFileSystemDoesNotEnforceTheLock_ARunWarnsAndGoesOn()
    {
        // DOTNET_SYSTEM_IO_DISABLEFILELOCKING switches .NET's flock off, as some network file systems ignore it: the lock
        // then keeps nobody out, and the run says so instead of pretending.
        string data = TinyIdx.Write();
        string output = Path.Combine(data, "train");
        var environment = new Dictionary<string, string> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1" };

        CliResult r = await Cli.RunProcessAsync(
            environment, "train", "--data", "Mnist", "--data-path", data, "--epochs", "1", "--batch-size", "16", "--probe-interval", "0", "--output", output);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.Ok), r.All);
            Assert.That(r.Stderr, Does.Contain($"--output: the file system of '{output}' does not enforce locks; a second process on this folder would not be refused."), r.All);
        });
    }
}
