using AutoBatch.Beacons.Grid;

namespace AutoBatch.Beacons.Tests.Grid;

/// <summary>The fan-out of grid and comparison runs: a bound on concurrency, failures apart, nothing left running.</summary>
public sealed class FanOutTests
{
    [TestCase(1)]
    [TestCase(3)]
    public async Task AtMostParallelItemsRunAtOnce_AndTheBoundIsReached(int parallel)
    {
        int running = 0, most = 0;
        var gate = new object();
        IReadOnlyList<int> done = await FanOut.RunAsync(
            Enumerable.Range(0, 8),
            parallel,
            async (item, token) =>
            {
                lock (gate)
                {
                    most = Math.Max(most, ++running);
                }

                await Task.Delay(30, token);
                lock (gate)
                {
                    running--;
                }

                return item * 10;
            },
            onFinished: null,
            onFailed: null,
            CancellationToken.None);

        Assert.That(done, Is.EquivalentTo(Enumerable.Range(0, 8).Select(i => i * 10)));
        Assert.That(most, Is.EqualTo(parallel));
    }

    [Test]
    public async Task AFailedItemIsReported_AndTheOthersGoOn()
    {
        var finished = new List<int>();
        var failed = new List<(int Item, string Message)>();
        IReadOnlyList<int> done = await FanOut.RunAsync(
            new[] { 1, 2, 3, 4 },
            2,
            (item, _) => item == 3 ? throw new InvalidOperationException("three") : Task.FromResult(item),
            finished.Add,
            (item, e) => failed.Add((item, e.Message)),
            CancellationToken.None);

        Assert.That(done, Is.EquivalentTo(new[] { 1, 2, 4 }));
        Assert.That(finished, Is.EquivalentTo(done));
        Assert.That(failed, Is.EqualTo(new[] { (3, "three") }));
    }

    [Test]
    public async Task ACancelledFanOut_AwaitsTheItemsItStarted_AndStartsNoMore()
    {
        using var cancel = new CancellationTokenSource();
        int started = 0, ended = 0;
        Task<IReadOnlyList<int>> fan = FanOut.RunAsync(
            Enumerable.Range(0, 10),
            2,
            async (item, token) =>
            {
                Interlocked.Increment(ref started);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                    return item;
                }
                finally
                {
                    await Task.Delay(50, CancellationToken.None);
                    Interlocked.Increment(ref ended);
                }
            },
            onFinished: null,
            onFailed: null,
            cancel.Token);

        while (Volatile.Read(ref started) < 2)
        {
            await Task.Delay(5);
        }

        await cancel.CancelAsync();

        Assert.That(async () => await fan, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(started, Is.EqualTo(2), "no item starts after the cancellation");
        Assert.That(ended, Is.EqualTo(2), "both started items ended before the fan-out returned");
    }
}
