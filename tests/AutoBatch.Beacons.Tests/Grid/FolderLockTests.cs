using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Tests.Maps;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Tests.Grid;

/// <summary>
/// The output folder's lock in one process (one owner per output folder, docs/RELIABILITY.md). Locks belong to the open
/// file, not the process, so a second acquisition here is refused just as another process's is; that a killed holder
/// releases it is shown with real processes in the controller's FolderOwnerTests.
/// </summary>
public sealed class FolderLockTests
{
    [Test]
    public void ASecondOwnerIsRefusedNamingTheFolderAndTheHolder()
    {
        using var temp = new TempFolder();
        string folder = temp.File("out");
        using FolderLock first = FolderLock.Acquire(folder, "--output");

        var e = Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder, "--output"));

        Assert.Multiple(() =>
        {
            Assert.That(first.Enforced, Is.True, "the test's file system enforces the lock");
            Assert.That(e!.Message, Does.StartWith($"--output: the folder '{folder}' is in use by another process (pid {Environment.ProcessId} on host {Environment.MachineName}, since "));
            Assert.That(e.Message, Does.EndWith("wait for that one to end (or stop it), or give another --output."));
        });
    }

    [Test]
    public void ReleasingTheLockLetsTheNextOwnerIn_AndRemovesTheOwnerRecord()
    {
        using var temp = new TempFolder();
        string folder = temp.File("out");
        FolderLock first = FolderLock.Acquire(folder, "--output");
        Assert.That(File.Exists(Path.Combine(folder, FolderLock.OwnerName)), Is.True, "the holder is named while it holds the folder");
        first.Dispose();

        Assert.That(File.Exists(Path.Combine(folder, FolderLock.OwnerName)), Is.False);
        using FolderLock second = FolderLock.Acquire(folder, "--output");
        Assert.That(File.Exists(Path.Combine(folder, FolderLock.LockName)), Is.True, "the lock file stays: it is never unlinked");
    }

    [Test]
    public async Task AWaitingOwnerGetsTheFolderWhenTheHolderLetsGo_AndOnlyThen()
    {
        using var temp = new TempFolder();
        string folder = temp.File("out");
        FolderLock holder = FolderLock.Acquire(folder, "--output");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<FolderLock> waiting = Task.Run(() => FolderLock.Acquire(folder, "--output", TimeSpan.FromSeconds(20)));
        await Task.Delay(600);
        Assert.That(waiting.IsCompleted, Is.False, "acquired while the holder still held the folder");

        holder.Dispose();
        using FolderLock next = await waiting;
        Assert.That(clock.Elapsed, Is.InRange(TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void AWaitThatRunsOutIsRefused()
    {
        using var temp = new TempFolder();
        string folder = temp.File("out");
        using FolderLock holder = FolderLock.Acquire(folder, "--output");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder, "the work folder of run x", TimeSpan.FromMilliseconds(400)));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(400)));
    }

    [Test]
    public void AFolderThatCannotBeCreatedIsNamedWithTheOption()
    {
        using var temp = new TempFolder();
        string file = temp.File("afile");
        File.WriteAllText(file, "keep");

        var e = Assert.Throws<UserInputException>(() => FolderLock.Acquire(Path.Combine(file, "out"), "--output"));

        Assert.That(e!.Message, Does.StartWith($"--output: cannot create the folder '{Path.Combine(file, "out")}': "));
    }
}
