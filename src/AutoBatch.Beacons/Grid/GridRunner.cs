using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// Runs the unfinished runs of a grid (or of one shard), several at once, persisting each the moment it ends.
/// </summary>
public sealed class GridRunner
{
    private readonly GridStore _store;
    private readonly IRunExecutor _executor;

    /// <summary>Creates a runner over a store.</summary>
    public GridRunner(GridStore store, IRunExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(executor);
        _store = store;
        _executor = executor;
    }

    /// <summary>The runs of <paramref name="shard"/> that have not finished, in canonical order.</summary>
    public IReadOnlyList<RunKey> Pending(Shard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return _store.Grid.Runs().Where((key, index) => shard.Contains(index) && !_store.IsFinished(key)).ToArray();
    }

    /// <summary>
    /// Executes the pending runs of <paramref name="shard"/> with at most <paramref name="parallel"/> at once. A run that
    /// an earlier execution left unfinished continues from its work folder (its checkpoint); if that fails, the run
    /// starts afresh once, reported through <paramref name="onRestarted"/>. A failed run is reported through
    /// <paramref name="onFailed"/> and left pending; the others go on. Returns the runs finished by this call.
    /// </summary>
    public async Task<IReadOnlyList<BeaconRun>> RunAsync(
        Shard shard, int parallel, Action<BeaconRun>? onFinished = null, Action<RunKey, Exception>? onFailed = null,
        Action<RunKey, Exception>? onRestarted = null, CancellationToken cancellationToken = default)
    {
        return await FanOut.RunAsync(
            Pending(shard),
            parallel,
            async (key, token) =>
            {
                // Opened first: an orphan of a killed runner may still be writing in the folder until its lock is free.
                string work = _store.OpenWorkFolder(key);
                bool continuing = _store.HasWork(key);
                BeaconRun run;
                try
                {
                    run = await _executor.ExecuteAsync(_store.Grid, key, work, token).ConfigureAwait(false);
                }
                catch (Exception e) when (continuing && e is not OperationCanceledException)
                {
                    // What the earlier execution left could not be continued (a checkpoint from another version of
                    // AutoBatch or of other settings, a damaged file): the run is done again from the start.
                    onRestarted?.Invoke(key, e);
                    run = await _executor.ExecuteAsync(_store.Grid, key, _store.EmptyWorkFolder(key), token).ConfigureAwait(false);
                }

                _store.Save(run);
                return run;
            },
            onFinished,
            onFailed,
            cancellationToken).ConfigureAwait(false);
    }
}
