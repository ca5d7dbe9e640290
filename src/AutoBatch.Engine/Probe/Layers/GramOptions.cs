namespace AutoBatch.Engine.Probe.Layers;

/// <summary>How the layer Grams of one probe are formed.</summary>
/// <param name="Mode">Ghost, per-sample rows, or the cheaper of the two by the cost model.</param>
/// <param name="ConvKernel">How a conv layer's per-sample rows are computed.</param>
/// <param name="Kernel">Which product multiplies rows into their float64 Gram.</param>
/// <param name="MemoryCapBytes">Cap on per-sample rows and ghost blocks held at once.</param>
/// <param name="Threads">Threads the probe's own kernels may use.</param>
internal sealed record GramOptions(GramMode Mode, ConvKernel ConvKernel, GramKernel Kernel, long MemoryCapBytes, int Threads)
{
    public static GramOptions From(ProbeSettings settings, int threads) =>
        new(settings.Mode, settings.ConvKernel, settings.GramKernel, settings.MemoryCapBytes, threads);
}
