using System.Globalization;
using AutoBatch.Controller.GridRuns;
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
        var start = ProcessRunExecutor.ProcessStart();
        foreach (string a in Arguments(spec, run, folder))
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["AUTOBATCH_CHILD"] = "1";
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start the training process");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // As in the beacon grid: the child has no children of its own, a plain SIGKILL suffices; it resumes from
            // its last checkpoint next time.
            process.Kill(entireProcessTree: false);
            throw;
        }

        string errors = await stderr.ConfigureAwait(false);
        string output = await stdout.ConfigureAwait(false);
        await File.AppendAllTextAsync(
            Path.Combine(folder, "stdout.log"),
            $"--- {DateTime.UtcNow:O} exit code {process.ExitCode}\n{output}{errors}",
            CancellationToken.None).ConfigureAwait(false);
        if (process.ExitCode is not (ExitCodes.Ok or ExitCodes.Diverged))
        {
            string tail = string.Join('\n', (errors + output).Split('\n').TakeLast(8));
            throw new InvalidOperationException($"run {run.Id} exited with code {process.ExitCode}: {tail}");
        }
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
