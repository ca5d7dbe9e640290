using System.Globalization;
using AutoBatch.Controller.Processes;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Runs a comparison run as a child <c>autobatch run ... --resume --exit-with-parent</c> process: each child owns its
/// libtorch threads, continues from its checkpoint after an interruption, and stops by itself if this process dies.
/// The child's console output is appended to <c>stdout.log</c> in the run folder.
/// </summary>
public sealed class ProcessCompareExecutor : ICompareRunExecutor
{
    private readonly string? _dataPath;
    private readonly int _threadsPerRun;

    /// <summary>Creates the executor.</summary>
    public ProcessCompareExecutor(string? dataPath, int threadsPerRun)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerRun, 1);
        _dataPath = dataPath;
        _threadsPerRun = threadsPerRun;
    }

    /// <summary>The child's arguments (after the program).</summary>
    public IReadOnlyList<string> Arguments(CompareSpec spec, CompareRun run, string folder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(run);
        var args = new List<string>
        {
            "run", "--map", spec.Map, "--schedule", run.Schedule.Name, "--seed", Invariant(run.Seed), "--epochs", Invariant(spec.Epochs),
            "--threads", Invariant(_threadsPerRun), "--output", folder, "--resume", "--exit-with-parent", Invariant(Environment.ProcessId),
        };
        if (spec.TrainSubset is { } subset)
        {
            args.AddRange(["--train-subset", Invariant(subset)]);
        }

        if (spec.LearningRateRule is { } rule)
        {
            args.AddRange(["--lr-rule", rule.ToString()]);
        }

        if (_dataPath is not null)
        {
            args.AddRange(["--data-path", _dataPath]);
        }

        return args;
    }

    /// <inheritdoc/>
    public async Task ExecuteAsync(CompareSpec spec, CompareRun run, string folder, CancellationToken cancellationToken)
    {
        ChildOutcome outcome = await ChildProcess.RunAsync(Arguments(spec, run, folder), cancellationToken).ConfigureAwait(false);
        await File.AppendAllTextAsync(
            Path.Combine(folder, "stdout.log"),
            $"--- {DateTime.UtcNow:O} exit code {outcome.ExitCode}\n{outcome.Output}{outcome.Errors}",
            CancellationToken.None).ConfigureAwait(false);
        ChildProcess.ThrowUnlessEnded(outcome, run.Id);
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
