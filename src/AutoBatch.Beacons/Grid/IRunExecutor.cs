using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Grid;

/// <summary>Executes one beacon run (in a child process, or in-process for tests).</summary>
public interface IRunExecutor
{
    /// <summary>
    /// Trains <paramref name="key"/> of <paramref name="grid"/> using <paramref name="workFolder"/> as scratch and
    /// returns the finished run; throws when the run failed for a reason other than divergence.
    /// </summary>
    Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken);
}
