using System.Diagnostics;

namespace AutoBatch.Controller.Processes;

/// <summary>
/// Cancels a child run when its parent process is gone, so that a grid runner killed with SIGKILL leaves no
/// orphaned training processes behind (the killed runner's unfinished runs are redone on resume anyway).
/// </summary>
public sealed class ParentWatcher : IDisposable
{
    private readonly Timer? _timer;

    private ParentWatcher(int? parentId, CancellationTokenSource cancel)
    {
        if (parentId is not { } id)
        {
            return;
        }

        _timer = new Timer(_ => { if (!IsAlive(id)) { cancel.Cancel(); } }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Starts watching (does nothing when <paramref name="parentId"/> is null).</summary>
    public static ParentWatcher Start(int? parentId, CancellationTokenSource cancel) => new(parentId, cancel);

    /// <inheritdoc/>
    public void Dispose() => _timer?.Dispose();

    private static bool IsAlive(int id)
    {
        try
        {
            using Process p = Process.GetProcessById(id);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
