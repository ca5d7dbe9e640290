namespace AutoBatch.Beacons.Grid;

/// <summary>
/// Runs work items at most a given number at once, each on the thread pool: the fan-out of a beacon grid's runs and
/// of a comparison's runs. A failed item is reported and the others go on; every item started is awaited before the
/// call returns or throws, so a cancelled fan-out leaves no work (and no child process) behind.
/// </summary>
public static class FanOut
{
    /// <summary>
    /// Runs <paramref name="work"/> for each of <paramref name="items"/>, at most <paramref name="parallel"/> at once, and
    /// returns the results of the items that finished, in the order they finished. <paramref name="onFinished"/> and
    /// <paramref name="onFailed"/> (an exception other than cancellation) are called one at a time.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; started items were awaited.</exception>
    public static async Task<IReadOnlyList<TResult>> RunAsync<TItem, TResult>(
        IEnumerable<TItem> items, int parallel, Func<TItem, CancellationToken, Task<TResult>> work, Action<TResult>? onFinished,
        Action<TItem, Exception>? onFailed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        var finished = new List<TResult>();
        var gate = new object();
        using var slots = new SemaphoreSlim(parallel);
        var tasks = new List<Task>();
        try
        {
            foreach (TItem item in items)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                tasks.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            TResult result = await work(item, cancellationToken).ConfigureAwait(false);
                            lock (gate)
                            {
                                finished.Add(result);
                                onFinished?.Invoke(result);
                            }
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            lock (gate)
                            {
                                onFailed?.Invoke(item, e);
                            }
                        }
                        finally
                        {
                            slots.Release();
                        }
                    },
                    CancellationToken.None));
            }
        }
        finally
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return finished;
    }
}
