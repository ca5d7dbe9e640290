using AutoBatch.Controller.Processes;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Runs a comparison run as a child <c>autobatch run ... --resume --exit-with-parent</c> process: each child owns its
/// libtorch threads, continues from its checkpoint after an interruption, and stops by itself if this process dies.
/// The child's console output is appended to <c>stdout.log</c> in the run folder.
/// </summary>
public sealed class ProcessCompareExecutor : ICompareRunExecutor
{
    private readonly Func<CompareSpec, CompareRun, string, IReadOnlyList<string>> _arguments;

    /// <summary>
    /// Creates the executor; <paramref name="arguments"/> gives a run's child command line (after the program) from
    /// the comparison, the run and its folder. The caller owns the flags: this class knows none.
    /// </summary>
    public ProcessCompareExecutor(Func<CompareSpec, CompareRun, string, IReadOnlyList<string>> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        _arguments = arguments;
    }

    /// <summary>The child's arguments (after the program).</summary>
    public IReadOnlyList<string> Arguments(CompareSpec spec, CompareRun run, string folder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(run);
        return _arguments(spec, run, folder);
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
}
