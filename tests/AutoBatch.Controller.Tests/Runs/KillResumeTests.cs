using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// A run killed with SIGKILL at a random moment (or stopped with SIGTERM) and resumed with --resume ends with
/// exactly the records of an uninterrupted run with the same seed and threads (the engine is deterministic on one
/// thread; only wall times differ).
/// </summary>
public sealed class KillResumeTests
{
    private static string[] TrainArgs(string data, string output, params string[] extra) => TrainArgsFor(4, data, output, extra);

    // Long enough (an epoch takes ~0.05–0.2 s, depending on the machine's state) that kills after a share of its epochs
    // land at different points of training.
    private static string[] LongTrainArgs(string data, string output, params string[] extra) => TrainArgsFor(32, data, output, extra);

    private static string[] TrainArgsFor(int epochs, string data, string output, params string[] extra) =>
    [
        "train", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-size", "4", "--lr", "0.05", "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
        "--probe-interval", "3", "--seed", "7", "--threads", "1", "--output", output, .. extra,
    ];

    // A staged schedule changes B inside epochs and logs decisions, so resuming must restore the policy state too.
    private static string[] RunArgs(string data, string output, params string[] extra) =>
    [
        "run", "--map", "", "--schedule", "s4-to-16-MS", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--lr", "0.05",
        "--epochs", "12", "--probe-interval", "3", "--seed", "3", "--threads", "1", "--output", output, .. extra,
    ];

    /// <summary>Everything of a record but wall times.</summary>
    private static string Deterministic(IEnumerable<EpochRecord> records) => JsonSerializer.Serialize(records.Select(r => r with
    {
        TrainSeconds = 0,
        TrainCpuSeconds = 0,
        ProbeSeconds = 0,
        EvalSeconds = 0,
    }));

    // SIGKILLs the process once its log holds `epochs` records and half an epoch more at its pace, so that the kill
    // lands inside an epoch and before the end however fast the machine is. A run that ended before it would test
    // nothing, so that is a failure. (Delays taken from an uninterrupted run's wall time missed the run when the
    // machine's load fell between the two.)
    private static async Task KillAfter(Process process, string log, int epochs)
    {
        int Logged() => File.Exists(log) ? File.ReadAllLines(log).Length : 0;
        var clock = Stopwatch.StartNew();
        int first = Logged() + 1;
        TimeSpan? firstSeen = null;
        while (!process.HasExited && Logged() < epochs && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (firstSeen is null && Logged() >= first)
            {
                firstSeen = clock.Elapsed;
            }

            await Task.Delay(5);
        }

        int since = Logged() - first;
        TimeSpan halfEpoch = firstSeen is { } t && since > 0 ? (clock.Elapsed - t) / (2 * since) : TimeSpan.FromMilliseconds(10);
        await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(halfEpoch));
        bool running = !process.HasExited;
        if (running)
        {
            process.Kill(entireProcessTree: false); // SIGKILL: no chance to write anything
        }

        await process.WaitForExitAsync();
        Assert.That(running, Is.True, $"the run ended by itself before {epochs} epochs were logged and half an epoch more; make it longer");
    }

    /// <summary>Runs to the end.</summary>
    private static async Task Uninterrupted(string[] args)
    {
        (int code, string log) = await GridProcess.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), log);
    }

    [TestCase(0.25)]
    [TestCase(0.6)]
    public async Task ATrainingRunKilledAtARandomMomentResumesToTheSameRecords(double shareOfTheRun)
    {
        string data = TinyIdx.Write(train: 400, test: 60);
        string reference = Path.Combine(data, "reference"), killed = Path.Combine(data, "killed");
        await Uninterrupted(LongTrainArgs(data, reference));

        using (Process p = GridProcess.Start(LongTrainArgs(data, killed)))
        {
            await KillAfter(p, Path.Combine(killed, "epochs.jsonl"), (int)Math.Round(32 * shareOfTheRun));
        }

        (int code, string log) = await GridProcess.RunAsync(LongTrainArgs(data, killed, "--resume"));
        Assert.That(code, Is.EqualTo(0), log);
        Assert.That(
            Deterministic(EpochLog.Read(Path.Combine(killed, "epochs.jsonl"))),
            Is.EqualTo(Deterministic(EpochLog.Read(Path.Combine(reference, "epochs.jsonl")))));
        Assert.That(File.ReadAllLines(Path.Combine(killed, "epochs.csv")), Has.Length.EqualTo(33), "header + 32 epochs, none repeated");
    }

    [Test]
    public async Task AGracefulStopCheckpointsInsideTheEpochAndResumesToTheSameRecords()
    {
        string data = TinyIdx.Write(train: 400, test: 60);
        string reference = Path.Combine(data, "reference"), stopped = Path.Combine(data, "stopped");
        // 12 epochs, so that the stop lands before the end on an idle machine too (an epoch here takes ~0.1 s).
        const int epochs = 12;
        await Uninterrupted(TrainArgsFor(epochs, data, reference));

        // Checkpoints only on a graceful stop: the resumed run must continue from inside the epoch.
        using (Process p = GridProcess.Start(TrainArgsFor(epochs, data, stopped, "--checkpoint-every", "0")))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(stopped, "epochs.jsonl")) || File.ReadAllLines(Path.Combine(stopped, "epochs.jsonl")).Length < 1)
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the first epoch never finished");
                await Task.Delay(20);
            }

            await Task.Delay(150);
            using Process term = Process.Start("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            await p.WaitForExitAsync();
            Assert.That(p.ExitCode, Is.EqualTo(130), "a graceful stop exits with 130");
        }

        int logged = EpochLog.Read(Path.Combine(stopped, "epochs.jsonl")).Count;
        Assert.That(logged, Is.InRange(1, epochs - 1), "stopped after the first epoch and before the end");
        (int code, string log) = await GridProcess.RunAsync(TrainArgsFor(epochs, data, stopped, "--resume", "--checkpoint-every", "0"));
        Assert.That(code, Is.EqualTo(0), log);
        Assert.That(
            Deterministic(EpochLog.Read(Path.Combine(stopped, "epochs.jsonl"))),
            Is.EqualTo(Deterministic(EpochLog.Read(Path.Combine(reference, "epochs.jsonl")))));
    }

    [Test]
    public async Task AScheduledRunKilledTwiceResumesToTheSameRecordsAndDecisions()
    {
        string data = TinyIdx.Write(train: 400, test: 60);
        string reference = Path.Combine(data, "reference"), killed = Path.Combine(data, "killed");
        await Uninterrupted(RunArgs(data, reference));
        // The second kill hits the resumed run, after 3 more of the 12 epochs.
        foreach (int epochs in new[] { 6, 9 })
        {
            using Process p = GridProcess.Start(RunArgs(data, killed, "--resume"));
            await KillAfter(p, Path.Combine(killed, "epochs.jsonl"), epochs);
        }

        (int code, string log) = await GridProcess.RunAsync(RunArgs(data, killed, "--resume"));
        Assert.That(code, Is.EqualTo(0), log);
        static string Decisions(string folder) => JsonSerializer.Serialize(DecisionLog.Read(Path.Combine(folder, "decisions.jsonl")));
        RunSummary a = RunSession.ReadSummary(Path.Combine(killed, RunSession.SummaryName));
        RunSummary b = RunSession.ReadSummary(Path.Combine(reference, RunSession.SummaryName));
        Assert.Multiple(() =>
        {
            Assert.That(
                Deterministic(EpochLog.Read(Path.Combine(killed, "epochs.jsonl"))),
                Is.EqualTo(Deterministic(EpochLog.Read(Path.Combine(reference, "epochs.jsonl")))));
            Assert.That(Decisions(killed), Is.EqualTo(Decisions(reference)));
            Assert.That(a.FinalTestError, Is.EqualTo(b.FinalTestError));
            Assert.That(a.Iterations, Is.EqualTo(b.Iterations));
            Assert.That(a.BatchSizeChanges, Is.EqualTo(b.BatchSizeChanges));
            Assert.That(a.Policy, Is.EqualTo("s4-to-16-MS"));
        });
    }

    [Test]
    public async Task LogsCutMidRecordResumeToTheRecordsOfAnUndisturbedRun()
    {
        // A kill while a record is written leaves a torn last line; before, every resume then failed with
        // "not an epoch record" until the line was removed by hand.
        string data = TinyIdx.Write(train: 400, test: 60);
        string reference = Path.Combine(data, "reference"), cut = Path.Combine(data, "cut");
        await Uninterrupted(RunArgs(data, reference, "--checkpoint-every", "0"));

        // A graceful stop inside the run (checkpoints only then), then the next records cut in the middle, as a kill
        // during their writes leaves them.
        using (Process p = GridProcess.Start(RunArgs(data, cut, "--checkpoint-every", "0")))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(cut, "epochs.jsonl")) || EpochLog.Read(Path.Combine(cut, "epochs.jsonl")).Count < 1)
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the first epoch never finished");
                await Task.Delay(20);
            }

            using Process term = Process.Start("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            await p.WaitForExitAsync();
            Assert.That(p.ExitCode, Is.EqualTo(130), "stopped before the end");
        }

        foreach (string file in new[] { "epochs.jsonl", "decisions.jsonl", "epochs.csv" })
        {
            string path = Path.Combine(cut, file);
            int whole = File.ReadAllLines(path).Length;
            string next = File.ReadAllLines(Path.Combine(reference, file))[whole];
            File.AppendAllText(path, next[..(next.Length / 2)]);
        }

        Assert.That(File.ReadAllText(Path.Combine(cut, "epochs.jsonl")), Does.Not.EndWith("\n"), "the file ends inside a record");
        (int code, string log) = await GridProcess.RunAsync(RunArgs(data, cut, "--checkpoint-every", "0", "--resume"));
        Assert.That(code, Is.EqualTo(0), log);
        Assert.Multiple(() =>
        {
            foreach (string file in new[] { "epochs.jsonl", "decisions.jsonl", "epochs.csv" })
            {
                Assert.That(
                    FolderContents.Of(cut)[file], Is.EqualTo(FolderContents.Of(reference)[file]), $"{file}: every record as the undisturbed run's (wall times aside)");
            }

            Assert.That(
                Deterministic(EpochLog.Read(Path.Combine(cut, "epochs.jsonl"))),
                Is.EqualTo(Deterministic(EpochLog.Read(Path.Combine(reference, "epochs.jsonl")))));
        });
    }

    [Test]
    public async Task ResumeWithoutACheckpointStartsAfresh()
    {
        string data = TinyIdx.Write(train: 200, test: 40);
        string output = Path.Combine(data, "fresh");
        (int code, string log) = await GridProcess.RunAsync(TrainArgsFor(1, data, output, "--resume"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), log);
            Assert.That(EpochLog.Read(Path.Combine(output, "epochs.jsonl")), Has.Count.EqualTo(1));
            Assert.That(File.Exists(Path.Combine(output, RunSession.CheckpointName)), Is.True);
        });
    }

    [Test]
    public async Task ACheckpointOfAnotherRunIsRefusedWithoutTouchingItsRecords()
    {
        string data = TinyIdx.Write(train: 200, test: 40);
        string output = Path.Combine(data, "run");
        await Uninterrupted(TrainArgsFor(2, data, output));
        byte[] before = File.ReadAllBytes(Path.Combine(output, "epochs.jsonl"));
        (int code, string log) = await GridProcess.RunAsync(TrainArgsFor(3, data, output, "--resume"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("--epochs: 2 in the checkpoint's run, 3 in this one"));
            Assert.That(File.ReadAllBytes(Path.Combine(output, "epochs.jsonl")), Is.EqualTo(before));
        });
    }
}
