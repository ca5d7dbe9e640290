using System.Collections.Concurrent;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Runs;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>Resumability of the comparison runner with a fake executor (nothing trains).</summary>
public sealed class CompareRunnerTests
{
    private static readonly CompareSpec Spec = new() { Map = "map.json", Schedules = ["s32", "closed-loop"], Seeds = [1, 2], Epochs = 5 };

    /// <summary>Writes a finished summary (or fails for chosen runs) and records every call.</summary>
    private sealed class FakeExecutor : ICompareRunExecutor
    {
        public ConcurrentBag<string> Calls { get; } = [];

        public HashSet<string> Failing { get; init; } = [];

        public HashSet<string> NoSummary { get; init; } = [];

        public Task ExecuteAsync(CompareSpec spec, CompareRun run, string folder, CancellationToken cancellationToken)
        {
            Calls.Add(run.Id);
            if (Failing.Contains(run.Id))
            {
                throw new InvalidOperationException($"run {run.Id} exited with code 1");
            }

            if (!NoSummary.Contains(run.Id))
            {
                SyntheticRuns.Write(Path.GetDirectoryName(Path.GetDirectoryName(folder))!, run, SyntheticRuns.Summary(run, 0.1, 100), SyntheticRuns.Epochs(1, 0));
            }

            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task FinishedAndDivergedRunsAreSkippedOthersRun()
    {
        string folder = SyntheticRuns.TempFolder();
        CompareRun done = SyntheticRuns.Run("s32", 1), diverged = SyntheticRuns.Run("closed-loop", 1), cancelled = SyntheticRuns.Run("s32", 2);
        string doneSummary = Path.Combine(SyntheticRuns.Write(folder, done, SyntheticRuns.Summary(done, 0.1, 100), SyntheticRuns.Epochs(1, 0)), RunSession.SummaryName);
        SyntheticRuns.Write(folder, diverged, SyntheticRuns.Summary(diverged, 0.9, 10, diverged: true, completed: false), SyntheticRuns.Epochs(1, 0).Take(1));

        // A summary that says neither completed nor diverged is not a finished run: it resumes.
        SyntheticRuns.Write(folder, cancelled, SyntheticRuns.Summary(cancelled, 0.5, 30, completed: false), SyntheticRuns.Epochs(1, 0).Take(2));
        byte[] before = File.ReadAllBytes(doneSummary);
        var executor = new FakeExecutor();
        var runner = new CompareRunner(folder, Spec, executor);

        Assert.That(runner.Pending().Select(r => r.Id), Is.EqualTo(new[] { "s32-s2", "closed-loop-s2" }));
        IReadOnlyList<CompareRun> finished = await runner.RunAsync(parallel: 2);
        Assert.Multiple(() =>
        {
            Assert.That(executor.Calls, Is.EquivalentTo(new[] { "s32-s2", "closed-loop-s2" }));
            Assert.That(finished.Select(r => r.Id), Is.EquivalentTo(new[] { "s32-s2", "closed-loop-s2" }));
            Assert.That(File.ReadAllBytes(doneSummary), Is.EqualTo(before));
            Assert.That(runner.Pending(), Is.Empty);
        });

        // A second pass runs nothing: nothing is ever run twice to completion.
        await runner.RunAsync(parallel: 2);
        Assert.That(executor.Calls, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task AFailedRunIsReportedAndLeftPendingWhileTheOthersGoOn()
    {
        string folder = SyntheticRuns.TempFolder();
        var executor = new FakeExecutor { Failing = ["s32-s1"], NoSummary = ["closed-loop-s2"] };
        var failed = new List<(string Id, string Message)>();
        var runner = new CompareRunner(folder, Spec, executor);

        IReadOnlyList<CompareRun> finished = await runner.RunAsync(parallel: 1, onFailed: (run, e) => failed.Add((run.Id, e.Message)));
        Assert.Multiple(() =>
        {
            Assert.That(finished.Select(r => r.Id), Is.EquivalentTo(new[] { "s32-s2", "closed-loop-s1" }));
            Assert.That(failed.Select(f => f.Id), Is.EquivalentTo(new[] { "s32-s1", "closed-loop-s2" }));
            Assert.That(failed.Single(f => f.Id == "closed-loop-s2").Message, Does.Contain("without a finished summary.json"));
            Assert.That(runner.Pending().Select(r => r.Id), Is.EqualTo(new[] { "s32-s1", "closed-loop-s2" }));
        });
    }

    [Test]
    public async Task NeverMoreThanParallelRunsAtOnce()
    {
        string folder = SyntheticRuns.TempFolder();
        var spec = Spec with { Seeds = [1, 2, 3, 4] };
        var executor = new GateExecutor();
        await new CompareRunner(folder, spec, executor).RunAsync(parallel: 3);
        Assert.Multiple(() =>
        {
            Assert.That(executor.MaxConcurrent, Is.EqualTo(3));
            Assert.That(executor.Total, Is.EqualTo(8));
        });
    }

    private sealed class GateExecutor : ICompareRunExecutor
    {
        private readonly Lock _gate = new();
        private int _running;

        public int MaxConcurrent { get; private set; }

        public int Total { get; private set; }

        public async Task ExecuteAsync(CompareSpec spec, CompareRun run, string folder, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _running++;
                Total++;
                MaxConcurrent = Math.Max(MaxConcurrent, _running);
            }

            await Task.Delay(50, cancellationToken);
            SyntheticRuns.Write(Path.GetDirectoryName(Path.GetDirectoryName(folder))!, run, SyntheticRuns.Summary(run, 0.1, 100), []);
            lock (_gate)
            {
                _running--;
            }
        }
    }
}
