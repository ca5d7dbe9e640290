using System.Diagnostics;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.GridRuns;

/// <summary>
/// Runs a beacon run as a child <c>autobatch train</c> process (process-level parallelism: each child owns its
/// libtorch thread pool, so nothing is shared or oversubscribed). The child stops by itself if this process dies; the
/// caller's arguments make it continue from the checkpoint in its work folder, if there is one.
/// </summary>
public sealed class ProcessRunExecutor : IRunExecutor
{
    private readonly Func<GridSpec, RunKey, string, IReadOnlyList<string>> _arguments;

    /// <summary>
    /// Creates the executor; <paramref name="arguments"/> gives a run's child command line (after the program) from
    /// the grid, the run and its work folder. The caller owns the flags: this class knows none.
    /// </summary>
    public ProcessRunExecutor(Func<GridSpec, RunKey, string, IReadOnlyList<string>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        _arguments = arguments;
    }

    /// <inheritdoc/>
    public async Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(key);
        IReadOnlyList<string> args = _arguments(grid, key, workFolder);
        string log = Path.Combine(workFolder, "epochs.jsonl");
        IReadOnlyList<EpochRecord> before = File.Exists(log) ? EpochLog.Read(log) : [];
        var clock = Stopwatch.StartNew();
        ChildOutcome outcome = await ChildProcess.RunAsync(args, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(workFolder, "stdout.log"), outcome.Output + outcome.Errors, CancellationToken.None).ConfigureAwait(false);
        ChildProcess.ThrowUnlessEnded(outcome, key.Id);
        return RunClock.Finish(key, outcome.ExitCode == ExitCodes.Diverged, before, EpochLog.Read(log), clock.Elapsed);
    }
}
