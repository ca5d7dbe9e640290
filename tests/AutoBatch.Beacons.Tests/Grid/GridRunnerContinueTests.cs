using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Tests.Maps;

namespace AutoBatch.Beacons.Tests.Grid;

/// <summary>
/// A grid restarted after a stop continues its unfinished runs in their work folders; what cannot be continued is done
/// again from the start, once, and said. Before, every restart emptied the work folders and a 12-epoch convnet run
/// stopped in its last epoch started over.
/// </summary>
public sealed class GridRunnerContinueTests
{
    private static readonly GridSpec Spec = SyntheticBeacons.Grid([8], [0.1], [1], epochs: 3);

    [Test]
    public async Task AnUnfinishedRunContinuesInTheFolderItWasLeftIn()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        File.WriteAllText(Path.Combine(store.OpenWorkFolder(key), "checkpoint"), "epoch 2");
        var executor = new Recording(_ => null);
        var restarted = new List<RunKey>();

        IReadOnlyList<BeaconRun> done = await new GridRunner(store, executor).RunAsync(Shard.All, 1, onRestarted: (k, _) => restarted.Add(k));

        Assert.Multiple(() =>
        {
            Assert.That(done.Select(r => r.Id), Is.EqualTo(new[] { key.Id }));
            Assert.That(executor.Seen, Is.EqualTo(new[] { "checkpoint" }), "the executor was not given what the stopped run left");
            Assert.That(restarted, Is.Empty);
            Assert.That(store.IsFinished(key), Is.True);
        });
    }

    [Test]
    public async Task ARunThatCannotBeContinuedStartsAfreshOnce_AndIsReported()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        File.WriteAllText(Path.Combine(store.OpenWorkFolder(key), "checkpoint"), "of other settings");
        var executor = new Recording(files => files.Contains("checkpoint") ? "the checkpoint was written under other settings" : null);
        var restarted = new List<(RunKey Key, string Why)>();
        var failed = new List<RunKey>();

        IReadOnlyList<BeaconRun> done = await new GridRunner(store, executor).RunAsync(
            Shard.All, 1, onFailed: (k, _) => failed.Add(k), onRestarted: (k, e) => restarted.Add((k, e.Message)));

        Assert.Multiple(() =>
        {
            Assert.That(done.Select(r => r.Id), Is.EqualTo(new[] { key.Id }));
            Assert.That(executor.Seen, Is.EqualTo(new[] { "checkpoint", string.Empty }), "continued, then started in an emptied folder");
            Assert.That(restarted, Is.EqualTo(new[] { (key, "the checkpoint was written under other settings") }));
            Assert.That(failed, Is.Empty);
            Assert.That(store.IsFinished(key), Is.True);
        });
    }

    [Test]
    public async Task ARunThatFailsFromTheStartIsNotTriedAgain()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        var executor = new Recording(_ => "out of memory");
        var restarted = new List<RunKey>();
        var failed = new List<(RunKey Key, string Why)>();

        IReadOnlyList<BeaconRun> done = await new GridRunner(store, executor).RunAsync(
            Shard.All, 1, onFailed: (k, e) => failed.Add((k, e.Message)), onRestarted: (k, _) => restarted.Add(k));

        Assert.Multiple(() =>
        {
            Assert.That(done, Is.Empty);
            Assert.That(executor.Seen, Is.EqualTo(new[] { string.Empty }));
            Assert.That(restarted, Is.Empty);
            Assert.That(failed, Is.EqualTo(new[] { (key, "out of memory") }));
            Assert.That(store.IsFinished(key), Is.False);
        });
    }

    [Test]
    public void AStoppedGridDoesNotStartItsRunAgainFromScratch()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        string work = store.OpenWorkFolder(key);
        File.WriteAllText(Path.Combine(work, "checkpoint"), "epoch 2");
        using var stop = new CancellationTokenSource();
        var executor = new Recording(_ =>
        {
            stop.Cancel();
            stop.Token.ThrowIfCancellationRequested();
            return null;
        });

        Assert.That(async () => await new GridRunner(store, executor).RunAsync(Shard.All, 1, cancellationToken: stop.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(executor.Seen, Is.EqualTo(new[] { "checkpoint" }), "a stop is not a failure to continue");
            Assert.That(File.Exists(Path.Combine(work, "checkpoint")), Is.True, "the stopped run's checkpoint was thrown away");
        });
    }

    /// <summary>Records what each execution found in its work folder; fails with the message <c>fail</c> gives, if any.</summary>
    private sealed class Recording(Func<string[], string?> fail) : IRunExecutor
    {
        public List<string> Seen { get; } = [];

        public Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken)
        {
            string[] files = Directory.GetFiles(workFolder).Select(Path.GetFileName).Where(n => n is not (FolderLock.LockName or FolderLock.OwnerName)).ToArray()!;
            Seen.Add(string.Join(",", files));
            return fail(files) is { } message
                ? throw new InvalidOperationException(message)
                : Task.FromResult(SyntheticBeacons.Run(key.BatchSize, key.LearningRate, key.Seed, grid.Epochs, e => new MeasurePoint(10.0 * e, 0.01 * e), 0.2));
        }
    }
}
