using System.Diagnostics;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Tests.Comparison;
using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// The closed loop killed with SIGKILL and resumed: its decisions use the throughput it measured on this machine, so two
/// runs need not decide alike (unlike the fixed and staged schedules of <see cref="KillResumeTests"/>); what must hold
/// is that the resumed run carries on the killed one's state: every epoch once, every boundary decided once, each
/// decision starting from the batch size the one before left, and the records trained at the batch sizes decided.
/// </summary>
public sealed class ClosedLoopResumeTests
{
    [Test]
    public async Task AClosedLoopRunKilledTwiceResumesToOneConsistentRun()
    {
        string data = TinyIdx.Write(train: 800, test: 60);
        string map = Path.Combine(data, "map.json");
        BeaconMapFile.Write(map, CompareProcessTests.TinyMap());
        string output = Path.Combine(data, "closed-loop");
        string log = Path.Combine(output, "epochs.jsonl");
        string[] args =
        [
            "run", "--map", map, "--schedule", "closed-loop", "--data-path", data, "--epochs", "16", "--min-batch-size", "4",
            "--max-batch-size", "64", "--seed", "2", "--threads", "1", "--output", output, "--resume",
        ];

        // Killed after 4 and after 9 logged epochs: the second kill hits the resumed run.
        foreach (int epochs in new[] { 4, 9 })
        {
            using Process run = GridProcess.Start(args);
            await GridProcess.WaitForLines(run, log, epochs);
            bool inside = !run.HasExited;
            run.Kill(entireProcessTree: false);
            await run.WaitForExitAsync();
            Assert.That(inside, Is.True, $"the run ended before {epochs} epochs were logged; make it longer");
        }

        (int code, string text) = await GridProcess.RunAsync(args);
        Assert.That(code, Is.EqualTo(0), text);

        IReadOnlyList<EpochRecord> records = EpochLog.Read(log);
        List<DecisionRecord> decisions = DecisionLog.Read(Path.Combine(output, "decisions.jsonl")).Where(d => d.Kind == "decision").ToList();
        RunSummary summary = RunSession.ReadSummary(Path.Combine(output, RunSession.SummaryName));
        // On this map the loop leaves the start at once (B 16 -> 32 at epoch 2, a time case): the kills then test that
        // the resumed runs carry on from the changed batch size, not from the start.
        Assert.That(decisions.Where(d => d.Epoch <= 4).Any(d => d.From != d.To), Is.True, "no change before the first kill: the test would show nothing");
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Epoch), Is.EqualTo(Enumerable.Range(1, 16)), "every epoch once");
            Assert.That(decisions.Select(d => d.Epoch), Is.EqualTo(Enumerable.Range(2, 15)), "every boundary decided once");
            for (int i = 1; i < decisions.Count; i++)
            {
                Assert.That(decisions[i].From, Is.EqualTo(decisions[i - 1].To), $"the decision of epoch {decisions[i].Epoch} does not start where the last one left B");
            }

            foreach (DecisionRecord d in decisions)
            {
                Assert.That(records[d.Epoch - 1].BatchSize, Is.EqualTo(d.To), $"epoch {d.Epoch} trained at another B than decided");
            }

            Assert.That(summary.Policy, Is.EqualTo("closed-loop"));
            Assert.That(summary.Epochs, Is.EqualTo(16));
            Assert.That(summary.Iterations, Is.EqualTo(records[^1].TotalIterations));
            Assert.That(summary.BatchSizeChanges, Is.EqualTo(decisions.Count(d => d.From != d.To)));
        });
    }
}
