using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Grid;

/// <summary>Executes one beacon run (in a child process, or in-process for tests).</summary>
public interface IRunExecutor
{
    /// <summary>
    /// Trains <paramref name="key"/> of <paramref name="grid"/> in <paramref name="workFolder"/>, continuing from the
    /// checkpoint an earlier execution left there if there is one (<see cref="RunClock"/> accounts for its time), and
    /// returns the finished run; throws when the run failed for a reason other than divergence, or when what the folder
    /// holds cannot be continued.
    /// </summary>
    Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken);
}
