using AutoBatch.Beacons.Grid;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Runs the unfinished runs of a comparison, several at once. Resumable like a beacon grid: a run whose summary.json
/// says it completed (or diverged) is finished and never started again; an interrupted one is started again with
/// --resume and continues from its checkpoint.
/// </summary>
public sealed class CompareRunner
{
    private readonly string _folder;
    private readonly CompareSpec _spec;
    private readonly ICompareRunExecutor _executor;

    /// <summary>Creates a runner for comparison folder <paramref name="folder"/>.</summary>
    public CompareRunner(string folder, CompareSpec spec, ICompareRunExecutor executor)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(executor);
        _folder = folder;
        _spec = spec;
        _executor = executor;
    }

    /// <summary>
    /// True when <paramref name="runFolder"/> holds the summary of a run that ran every epoch or diverged. A run writes
    /// its summary only when it ends so (a fresh run deletes an earlier one first), so a run stopped by Ctrl-C or still
    /// running has none; a summary that says neither, or cannot be read, does not count either.
    /// </summary>
    public static bool IsFinished(string runFolder)
    {
        string path = Path.Combine(runFolder, RunSession.SummaryName);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            RunSummary summary = RunSession.ReadSummary(path);
            return summary.Completed || summary.Diverged;
        }
        catch (UserInputException)
        {
            return false;
        }
    }

    /// <summary>The runs that have not finished, in spec order.</summary>
    public IReadOnlyList<CompareRun> Pending() => _spec.Runs().Where(r => !IsFinished(r.FolderIn(_folder))).ToArray();

    /// <summary>
    /// Executes the pending runs with at most <paramref name="parallel"/> at once. A failed run is reported through
    /// <paramref name="onFailed"/> and left pending; the others go on. Returns the runs finished by this call.
    /// </summary>
    public async Task<IReadOnlyList<CompareRun>> RunAsync(
        int parallel, Action<CompareRun>? onFinished = null, Action<CompareRun, Exception>? onFailed = null, CancellationToken cancellationToken = default)
    {
        // Started runs are always awaited, so a cancelled comparison leaves no child behind.
        return await FanOut.RunAsync(
            Pending(),
            parallel,
            async (run, token) =>
            {
                string folder = run.FolderIn(_folder);
                Directory.CreateDirectory(folder);
                await _executor.ExecuteAsync(_spec, run, folder, token).ConfigureAwait(false);
                return IsFinished(folder) ? run : throw new InvalidOperationException($"run {run.Id} ended without a finished {RunSession.SummaryName} in {folder}.");
            },
            onFinished,
            onFailed,
            cancellationToken).ConfigureAwait(false);
    }
}
