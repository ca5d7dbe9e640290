namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// A probe that forms and analyses F̃ on a worker thread while training goes on. It works on frozen copies of the
/// step's captures (<see cref="ProbeSite.Freeze"/>: out of the step's dispose scope, BatchNorm state as the forward saw
/// it), which it releases when collected or abandoned. The probe reads no parameter, so the step's update may proceed.
/// </summary>
internal sealed class BackgroundProbe
{
    private readonly Task<ProbeReading> _work;
    private readonly ProbeSite[] _sites;

    private BackgroundProbe(Task<ProbeReading> work, ProbeSite[] sites)
    {
        _work = work;
        _sites = sites;
    }

    /// <summary>Freezes the captured <paramref name="sites"/> and starts their probe on a thread of its own.</summary>
    public static BackgroundProbe Launch(
        IEnumerable<ProbeSite> sites, int batch, double learningRate, ProbeSettings settings, int threads, bool withEigenvalues)
    {
        ProbeSite[] frozen = [.. sites.Select(s => s.Freeze())];
        Task<ProbeReading> work = Task.Factory.StartNew(
            () => ProbeRun.Run(frozen, batch, learningRate, settings, threads, withEigenvalues, null),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return new BackgroundProbe(work, frozen);
    }

    /// <summary>Waits for the reading (a failure of the probe is thrown here) and releases the captures.</summary>
    public ProbeReading Collect()
    {
        try
        {
            return _work.GetAwaiter().GetResult();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Waits for the probe to let go of its captures, without its reading, and releases them.</summary>
    public void Abandon()
    {
        ((IAsyncResult)_work).AsyncWaitHandle.WaitOne();
        Release();
    }

    private void Release()
    {
        foreach (ProbeSite site in _sites)
        {
            site.DisposeTensors();
        }
    }
}
