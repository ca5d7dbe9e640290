using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Which <see cref="FusedConv2d"/> layers take the fused path on one probed step, and where their rows go. A layer is
/// admitted when its input is on the host, the cost model takes rows for it (not ghost), the direct kernel applies, and its rows fit the memory
/// cap together with those of the layers admitted before it: all fused rows live from their backward until the probe
/// consumes them. Greedy in forward order: the early layers, with the larger feature maps, save the most per byte.
/// </summary>
internal sealed class FusionPlan
{
    private readonly Dictionary<FusedConv2d, ProbeSite> _sites;
    private readonly GramOptions _options;
    private readonly long _batch;
    private long _budget;

    public FusionPlan(IEnumerable<ProbeSite> sites, long batch, GramOptions options)
    {
        _sites = sites.Where(s => s.Module is FusedConv2d).ToDictionary(s => (FusedConv2d)s.Module);
        _batch = batch;
        _options = options;
        _budget = options.MemoryCapBytes;
    }

    /// <summary>Whether <paramref name="layer"/> fuses on this forward (and reserves its rows' memory if so).</summary>
    public bool Admit(FusedConv2d layer, Tensor input)
    {
        // On a device the layer keeps autograd's backward (its tensor operations) and its rows come after it.
        if (!_sites.TryGetValue(layer, out ProbeSite? site)
            || HostTensors.Placement(input.device_type, tensorOperations: true) != KernelPlacement.HostKernel
            || !LayerGrams.UsesDirectKernel(layer.Geometry, _options.ConvKernel, input.device_type))
        {
            return false;
        }

        ConvGeometry g = layer.Geometry;
        long outHeight = ((input.shape[2] + (2 * g.PadHeight) - g.KernelHeight) / g.StrideHeight) + 1;
        long outWidth = ((input.shape[3] + (2 * g.PadWidth) - g.KernelWidth) / g.StrideWidth) + 1;
        if (_options.Mode == GramMode.Ghost
            || (_options.Mode == GramMode.Auto && LayerGrams.CheaperIsGhost(g.Inputs, g.OutChannels, outHeight * outWidth, _batch)))
        {
            return false;
        }

        long bytes = 4 * _batch * g.OutChannels * g.Inputs;
        if (bytes > _budget)
        {
            return false;
        }

        _budget -= bytes;
        site.Fused = true;
        return true;
    }

    /// <summary>Receives a fused layer's rows from its backward.</summary>
    public void Deliver(FusedConv2d layer, Tensor rows, double seconds)
    {
        ProbeSite site = _sites[layer];
        site.Rows = rows;
        site.RowsSeconds = seconds;
    }
}
