using AutoBatch.Engine.Interop;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Probe;

/// <summary>
/// One conv layer's contribution to F̃, computed by the native probe exactly as in a probed step (path, kernel and
/// memory cap from the settings). For tests that check every path and kernel on arbitrary geometries.
/// </summary>
internal static class ConvLayerGram
{
    /// <summary>
    /// The B x B Gram (row-major) of the per-sample gradients Σ_t δ_it a_itᵀ for input (B x C_in x H x W) and
    /// delta = B ∂L/∂output (B x C_out x H' x W').
    /// </summary>
    public static unsafe double[] Compute(ConvGeometry conv, ReadOnlySpan<float> input, int batch, int height, int width, ReadOnlySpan<float> delta, ProbeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        long expectedInput = (long)batch * conv.InChannels * height * width;
        if (input.Length != expectedInput)
        {
            throw new ArgumentException($"Input holds {input.Length} values, {batch}x{conv.InChannels}x{height}x{width} needs {expectedInput}.", nameof(input));
        }

        var spec = new NativeConvSpec
        {
            InChannels = conv.InChannels,
            OutChannels = conv.OutChannels,
            KernelH = conv.KernelH,
            KernelW = conv.KernelW,
            StrideH = conv.Stride,
            StrideW = conv.Stride,
            PaddingH = conv.Padding,
            PaddingW = conv.Padding,
            DilationH = conv.Dilation,
            DilationW = conv.Dilation,
            HasBias = conv.HasBias ? 1 : 0,
        };
        var gram = new double[batch * batch];
        fixed (float* px = input)
        fixed (float* pd = delta)
        fixed (double* pg = gram)
        {
            NativeProbeOptions options = Network.ToNative(settings, null, pg, null, null, 0);
            NativeMethods.Check(NativeMethods.ProbeConvGram(&spec, px, batch, height, width, pd, delta.Length, &options));
        }

        return gram;
    }
}
