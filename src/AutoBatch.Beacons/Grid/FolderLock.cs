using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// The one owner of an output folder: an exclusive lock on <c>&lt;folder&gt;/.autobatch.lock</c>, held until disposed or
/// until the process ends. It is the kernel's advisory lock (.NET takes <c>flock(LOCK_EX | LOCK_NB)</c> for
/// <see cref="FileShare.None"/> on Linux), tied to the open file, so it is released whenever its holder dies, SIGKILL
/// included, and a lock file left behind means nothing: no clean-up is ever needed. The holder's pid, host, start time
/// and command go to <c>.autobatch.owner</c> beside it (the lock file itself cannot be read while locked), so that a
/// refused process can name it. The lock file is never deleted: a process that unlinked it could let a second one lock
/// a new file of the same name while a third still held the old.
/// </summary>
public sealed class FolderLock : IDisposable
{
    /// <summary>Name of the lock file in the folder.</summary>
    public const string LockName = ".autobatch.lock";

    /// <summary>Name of the file that names the holder.</summary>
    public const string OwnerName = ".autobatch.owner";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _stream;

    private FolderLock(string folder, FileStream stream, bool enforced)
    {
        Folder = folder;
        _stream = stream;
        Enforced = enforced;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>
    /// False when the file system accepted the lock without enforcing it (a second open of the lock file in this very
    /// process was not refused): some network file systems, Lustre without <c>-o flock</c>, or .NET's locking switched
    /// off with <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>. The work goes on, but a second process is not kept out.
    /// </summary>
    public bool Enforced { get; }

    /// <summary>
    /// Creates <paramref name="folder"/> if needed and locks it. When another process holds it, tries again for up to
    /// <paramref name="wait"/> (a grid's or comparison's child waits for an orphan of an earlier, killed parent to stop;
    /// a command the user started does not wait), then refuses.
    /// </summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="option">How the user named it, for messages (e.g. <c>--output</c>).</param>
    /// <param name="wait">How long to wait for another holder; zero to refuse at once.</param>
    /// <exception cref="FolderInUseException">Another process holds the folder; the message names it and the holder.</exception>
    /// <exception cref="UserInputException">The folder cannot be created; the message names the option.</exception>
    public static FolderLock Acquire(string folder, string option, TimeSpan wait = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(option);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(option, $"cannot create the folder '{folder}': {e.Message}", e);
        }

        string path = Path.Combine(folder, LockName);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var owned = new FolderLock(folder, stream, enforced: !CanOpenAgain(path));
                owned.WriteOwner();
                return owned;
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                if (clock.Elapsed >= wait)
                {
                    string remedy = option.StartsWith("--", StringComparison.Ordinal)
                        ? $"wait for that one to end (or stop it), or give another {option}"
                        : "wait for that one to end (or stop it)";
                    throw new FolderInUseException(
                        option,
                        $"the folder '{folder}' is in use by another process ({DescribeOwner(folder)}); two processes writing one folder "
                        + $"would corrupt each other's files: {remedy}.",
                        e);
                }

                Thread.Sleep(Poll);
            }
        }
    }

    /// <summary>Who holds <paramref name="folder"/> as its owner file says, for messages: "pid 123 on host h, since ...: command".</summary>
    public static string DescribeOwner(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        try
        {
            Owner? owner = JsonSerializer.Deserialize<Owner>(File.ReadAllText(Path.Combine(folder, OwnerName)), JsonSerializerOptions.Web);
            if (owner is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"pid {owner.Pid} on host {owner.Host}, since {owner.Started}: {owner.Command}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // The holder has not written its name yet, or the file is gone: the lock alone is what counts.
        }

        return "its pid is not recorded";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The owner file goes first, while the folder is still ours: a next holder's file must not be deleted.
        try
        {
            File.Delete(Path.Combine(Folder, OwnerName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A stale owner file is harmless: it names a holder only while the lock is held.
        }

        _stream.Dispose();
    }

    // EWOULDBLOCK (Linux 11, macOS 35) from flock, or Windows' sharing violation: another open file holds the lock.
    private static bool IsHeldElsewhere(IOException e) => e.HResult is 11 or 35 || (e.HResult & 0xFFFF) == 32;

    // With a working lock a second exclusive open is refused even in the process that holds it (flock locks belong to
    // the open file, not the process).
    private static bool CanOpenAgain(string path)
    {
        try
        {
            using var again = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void WriteOwner()
    {
        var owner = new Owner(
            Environment.ProcessId, Environment.MachineName, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Environment.CommandLine);
        AtomicFile.WriteAllText(Path.Combine(Folder, OwnerName), JsonSerializer.Serialize(owner, JsonSerializerOptions.Web));
    }

    private sealed record Owner(int Pid, string Host, string Started, string Command);
}
