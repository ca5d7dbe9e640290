namespace AutoBatch.Engine.Probe;

/// <summary>A Conv2d layer's geometry (groups = 1), for <see cref="ConvLayerGram"/>.</summary>
internal readonly record struct ConvGeometry(
    int InChannels, int OutChannels, int KernelH, int KernelW, int Stride, int Padding, int Dilation = 1, bool HasBias = false)
{
    /// <summary>Output height or width for an input extent (PyTorch's formula).</summary>
    public int OutputExtent(int extent, int kernel) => ((extent + (2 * Padding) - (Dilation * (kernel - 1)) - 1) / Stride) + 1;
}
