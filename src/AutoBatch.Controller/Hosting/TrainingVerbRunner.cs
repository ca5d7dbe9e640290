using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// What the training verbs (<c>train</c>, <c>run</c>) share around their work: stop when the parent process dies
/// (grid and compare children), run the work off the host's thread, map the outcome to an exit code (done, diverged,
/// cancelled, bad input, failure) with one log line, and stop the application.
/// </summary>
internal static class TrainingVerbRunner
{
    /// <summary>Runs <paramref name="work"/>; returns its result, or null when it did not finish.</summary>
    public static async Task<T?> RunAsync<T>(
        string verb, int? exitWithParent, ILogger logger, IHostApplicationLifetime lifetime, Func<CancellationToken, T> work,
        Func<T, bool> diverged, CancellationToken stoppingToken)
        where T : class?
    {
        await Task.Yield();
        using var orphanGuard = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var watcher = ParentWatcher.Start(exitWithParent, orphanGuard);
        CancellationToken token = orphanGuard.Token;
        try
        {
            T result = await Task.Run(() => work(token), token).ConfigureAwait(false);
            Environment.ExitCode = diverged(result) ? ExitCodes.Diverged : ExitCodes.Ok;
            return result;
        }
        catch (OperationCanceledException)
        {
            Log.VerbCancelled(logger, verb);
            Environment.ExitCode = ExitCodes.Cancelled;
        }
        catch (Exception e) when (ExitCodes.For(e) == ExitCodes.BadInput || e is FormatException)
        {
            Log.VerbFailed(logger, verb, ExitCodes.UserMessage(e));
            Environment.ExitCode = ExitCodes.BadInput;
        }
        catch (IOException e)
        {
            // A disk error under way (a full disk, a folder removed): a failure, but the system's message says it all.
            Log.VerbFailed(logger, verb, ExitCodes.UserMessage(e));
            Environment.ExitCode = ExitCodes.Failure;
        }
        catch (Exception e)
        {
            Log.VerbCrashed(logger, e, verb);
            Environment.ExitCode = ExitCodes.Failure;
        }
        finally
        {
            lifetime.StopApplication();
        }

        return null;
    }
}
