namespace AutoBatch.Controller.Comparison;

/// <summary>Executes one comparison run (a child <c>autobatch run</c> process, or a fake in tests).</summary>
public interface ICompareRunExecutor
{
    /// <summary>
    /// Trains <paramref name="run"/> of <paramref name="spec"/> into <paramref name="folder"/>, resuming from its
    /// checkpoint if there is one, and leaves summary.json there. Throws when the run failed for a reason other than
    /// divergence (exit code 3, which is a finished run).
    /// </summary>
    Task ExecuteAsync(CompareSpec spec, CompareRun run, string folder, CancellationToken cancellationToken);
}
