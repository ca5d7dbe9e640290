using TorchSharp.Modules;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>The geometry of a probed convolution, whichever module computes it (TorchSharp's Conv2d or ours).</summary>
internal sealed record ConvGeometry(
    long InChannels, long OutChannels, long KernelHeight, long KernelWidth, long StrideHeight, long StrideWidth,
    long PadHeight, long PadWidth, long DilationHeight, long DilationWidth)
{
    /// <summary>d_in of the cost model: input values per output position (C·kh·kw).</summary>
    public long Inputs => InChannels * KernelHeight * KernelWidth;

    public static ConvGeometry Of(TorchSharp.torch.nn.Module module) => module switch
    {
        Conv2d c => new(c.in_channels, c.out_channels, c.kernel_size[0], c.kernel_size[1], c.stride[0], c.stride[1], c.padding![0], c.padding[1], c.dilation[0], c.dilation[1]),
        FusedConv2d f => f.Geometry,
        _ => throw new ArgumentException($"{module.GetType().Name} is not a convolution.", nameof(module)),
    };
}
