using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Tests.Maps;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Tests.Grid;

/// <summary>
/// A run file a grid cannot use is pending, with the reason: before, it counted as finished because it
/// existed, and a file without epochs failed every later map build until it was deleted by hand.
/// </summary>
public sealed class GridStoreTests
{
    private static readonly GridSpec Spec = SyntheticBeacons.Grid([8, 16], [0.1], [1], epochs: 3);

    private static BeaconRun Run(RunKey key, int epochs, bool diverged = false) =>
        SyntheticBeacons.Run(key.BatchSize, key.LearningRate, key.Seed, epochs, e => new MeasurePoint(10.0 * e, 0.01 * e), 0.2, diverged);

    [Test]
    public void AWholeRunIsFinished_AndADivergedRunWithFewerEpochsToo()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey whole = Spec.Runs()[0], diverged = Spec.Runs()[1];
        store.Save(Run(whole, 3));
        store.Save(Run(diverged, 1, diverged: true));

        Assert.Multiple(() =>
        {
            Assert.That(store.IsFinished(whole), Is.True);
            Assert.That(store.IsFinished(diverged), Is.True);
            Assert.That(store.Problem(whole), Is.Null);
            Assert.That(new GridRunner(store, new NeverRuns()).Pending(Shard.All), Is.Empty);
        });
    }

    [TestCase("empty", "not a valid BeaconRun file: ")]
    [TestCase("cut", "not a valid BeaconRun file: ")]
    [TestCase("no epochs", "the run file holds no epochs.")]
    [TestCase("interrupted", "the run file holds 2 of the grid's 3 epochs and the run did not diverge.")]
    [TestCase("another run", "id is b0016-lr0.1-s1, expected b0008-lr0.1-s1")]
    public void ARunFileThatCannotBeUsedIsPendingWithTheReason(string damage, string expected)
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        store.Save(Run(key, 3));
        string path = Path.Combine(temp.Path, "runs", key.Id + ".json");
        string text = File.ReadAllText(path);
        switch (damage)
        {
            case "empty": File.WriteAllText(path, string.Empty); break;
            case "cut": File.WriteAllText(path, text[..(text.Length / 2)]); break;
            case "no epochs": store.Save(Run(key, 3) with { Epochs = [] }); break;
            case "interrupted": store.Save(Run(key, 2)); break;
            default: store.Save(Run(Spec.Runs()[1], 3)); File.Move(Path.Combine(temp.Path, "runs", Spec.Runs()[1].Id + ".json"), path, overwrite: true); break;
        }

        IReadOnlyList<BeaconRun> loaded = store.LoadFinished(out IReadOnlyList<string> unusable);
        Assert.Multiple(() =>
        {
            Assert.That(store.IsFinished(key), Is.False);
            Assert.That(store.Problem(key), Does.StartWith($"{path}: ").And.Contain(expected));
            Assert.That(new GridRunner(store, new NeverRuns()).Pending(Shard.All), Does.Contain(key));
            Assert.That(loaded.Select(r => r.Id), Does.Not.Contain(key.Id));
            Assert.That(unusable, Is.EqualTo(new[] { store.Problem(key) }));
            Assert.That(() => store.LoadFinished(), Throws.InstanceOf<UserInputException>().With.Message.EqualTo(store.Problem(key)));
        });
    }

    [Test]
    public void AWorkFolderIsOpenedAsItWasLeft_AndEmptiedOnlyOnRequest_KeepingItsLockFile()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        string work = store.OpenWorkFolder(key);
        Assert.That(store.HasWork(key), Is.False, "a new work folder holds only its lock");
        File.WriteAllText(Path.Combine(work, "epochs.jsonl"), "{}\n");
        Directory.CreateDirectory(Path.Combine(work, "sub"));

        Assert.Multiple(() =>
        {
            Assert.That(store.OpenWorkFolder(key), Is.EqualTo(work));
            Assert.That(store.HasWork(key), Is.True);
            Assert.That(Directory.GetFileSystemEntries(work).Select(Path.GetFileName), Is.EquivalentTo(new[] { FolderLock.LockName, "epochs.jsonl", "sub" }));
        });

        Assert.That(store.EmptyWorkFolder(key), Is.EqualTo(work));
        Assert.Multiple(() =>
        {
            Assert.That(store.HasWork(key), Is.False);
            Assert.That(Directory.GetFileSystemEntries(work).Select(Path.GetFileName), Is.EqualTo(new[] { FolderLock.LockName }));
        });
    }

    [Test]
    public void AWorkFolderHeldByAnotherRunIsNeitherOpenedNorEmptiedUntilItLetsGo()
    {
        using var temp = new TempFolder();
        var store = new GridStore(temp.Path, Spec);
        RunKey key = Spec.Runs()[0];
        string work = store.OpenWorkFolder(key);
        File.WriteAllText(Path.Combine(work, "epochs.jsonl"), "{}\n");

        // An orphan of a killed runner still trains in it; the new runner waits for it (here: a holder that lets go).
        FolderLock orphan = FolderLock.Acquire(work, "--output");
        Task<string> opened = Task.Run(() => store.OpenWorkFolder(key));
        Task<string> emptied = Task.Run(() => store.EmptyWorkFolder(key));
        Thread.Sleep(500);
        Assert.Multiple(() =>
        {
            Assert.That(opened.IsCompleted, Is.False, "a second process would train in the orphan's folder");
            Assert.That(emptied.IsCompleted, Is.False);
            Assert.That(File.Exists(Path.Combine(work, "epochs.jsonl")), Is.True, "deleted under a live run");
        });

        orphan.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(opened.Wait(TimeSpan.FromSeconds(20)), Is.True);
            Assert.That(emptied.Wait(TimeSpan.FromSeconds(20)), Is.True);
        });
        Assert.That(File.Exists(Path.Combine(work, "epochs.jsonl")), Is.False);
    }

    private sealed class NeverRuns : IRunExecutor
    {
        public Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not expected to run");
    }
}
