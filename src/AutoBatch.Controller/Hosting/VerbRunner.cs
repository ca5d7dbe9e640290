using AutoBatch.Controller.Processes;
using AutoBatch.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// What every verb's service does around its work, in one place: stop when the parent process dies (grid and compare
/// children), run the work off the host's thread, turn the outcome into the exit code with one log line, and stop the
/// application. Bad input (<see cref="UserInputException"/>) and a disk error under way are reported in one line; any
/// other exception is a bug and is logged with its stack trace.
/// </summary>
internal static class VerbRunner
{
    /// <summary>
    /// Runs <paramref name="work"/> and sets <see cref="Environment.ExitCode"/>: <paramref name="exitCode"/> of its result
    /// when it finishes, <see cref="ExitCodes.For"/> of what it threw otherwise. Returns the result, or the default when
    /// the work did not finish.
    /// </summary>
    public static async Task<T?> RunAsync<T>(
        string verb, ILogger logger, IHostApplicationLifetime lifetime, Func<CancellationToken, Task<T>> work, Func<T, int> exitCode,
        CancellationToken stoppingToken, int? exitWithParent = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(exitCode);
        ArgumentNullException.ThrowIfNull(lifetime);
        await Task.Yield();
        using var orphanGuard = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var watcher = ParentWatcher.Start(exitWithParent, orphanGuard);
        CancellationToken token = orphanGuard.Token;
        try
        {
            T result = await Task.Run(() => work(token), token).ConfigureAwait(false);
            Environment.ExitCode = exitCode(result);
            return result;
        }
#pragma warning disable CA1031 // The one place every exception of a verb ends: it becomes the exit code and a log line.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Environment.ExitCode = ExitCodes.For(e);
            switch (e)
            {
                case OperationCanceledException:
                    Log.VerbCancelled(logger, verb);
                    break;
                case UserInputException or IOException:
                    // Bad input says what to fix; a disk error under way (a full disk, a folder removed) is a failure
                    // whose system message says it all. Neither needs a stack trace.
                    Log.VerbFailed(logger, verb, e.Message);
                    break;
                default:
                    Log.VerbCrashed(logger, e, verb);
                    break;
            }
        }
        finally
        {
            lifetime.StopApplication();
        }

        return default;
    }
}
