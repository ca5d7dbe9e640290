namespace AutoBatch.Engine.Kernels;

/// <summary>
/// The geometry of a convolution for <see cref="ProbeKernels.DirectConvRows"/> (groups 1, dilation 1, zero padding):
/// input C x H x W, output O x Ho x Wo with Ho = (H + 2 PadHeight - KernelHeight) / StrideHeight + 1 (and likewise
/// Wo), which the native side checks.
/// </summary>
public readonly record struct DirectConvShape(
    long Channels,
    long Height,
    long Width,
    long OutChannels,
    long OutHeight,
    long OutWidth,
    long KernelHeight,
    long KernelWidth,
    long StrideHeight,
    long StrideWidth,
    long PadHeight,
    long PadWidth);
