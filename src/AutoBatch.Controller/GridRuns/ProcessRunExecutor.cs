using System.Diagnostics;
using System.Globalization;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.GridRuns;

/// <summary>
/// Runs a beacon run as a child <c>autobatch train</c> process (process-level parallelism: each child owns its
/// libtorch thread pool, so nothing is shared or oversubscribed). The child stops by itself if this process dies.
/// </summary>
public sealed class ProcessRunExecutor : IRunExecutor
{
    private readonly string? _dataPath;
    private readonly int _threadsPerRun;

    /// <summary>Creates the executor.</summary>
    public ProcessRunExecutor(string? dataPath, int threadsPerRun)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerRun, 1);
        _dataPath = dataPath;
        _threadsPerRun = threadsPerRun;
    }

    /// <inheritdoc/>
    public async Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(key);
        var args = new List<string>
        {
            "train", "--model", grid.Model, "--data", grid.Data.ToString(),
            "--batch-size", Invariant(key.BatchSize), "--lr", Invariant(key.LearningRate), "--seed", Invariant(key.Seed),
            "--epochs", Invariant(grid.Epochs), "--probe-interval", Invariant(grid.ProbeInterval),
            "--threads", Invariant(_threadsPerRun), "--output", workFolder,
            "--exit-with-parent", Invariant(Environment.ProcessId),
        };
        if (_dataPath is not null)
        {
            args.AddRange(["--data-path", _dataPath]);
        }

        if (grid.TrainSubset is { } subset)
        {
            args.AddRange(["--train-subset", Invariant(subset)]);
        }

        var clock = Stopwatch.StartNew();
        ChildOutcome outcome = await ChildProcess.RunAsync(args, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(workFolder, "stdout.log"), outcome.Output + outcome.Errors, CancellationToken.None).ConfigureAwait(false);
        ChildProcess.ThrowUnlessEnded(outcome, key.Id);
        IReadOnlyList<EpochRecord> epochs = EpochLog.Read(Path.Combine(workFolder, "epochs.jsonl"));
        return new BeaconRun
        {
            Id = key.Id,
            BatchSize = key.BatchSize,
            LearningRate = key.LearningRate,
            Seed = key.Seed,
            Diverged = outcome.ExitCode == ExitCodes.Diverged || epochs.Any(e => e.Diverged),
            WallSeconds = clock.Elapsed.TotalSeconds,
            Epochs = epochs,
        };
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
