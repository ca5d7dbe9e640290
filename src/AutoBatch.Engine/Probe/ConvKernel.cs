namespace AutoBatch.Engine.Probe;

/// <summary>How a materialised Conv2d layer computes its per-sample weight gradients (same numbers, different cost).</summary>
public enum ConvKernel
{
    /// <summary>
    /// The kernel measured fastest: <see cref="Direct"/> where it applies (a CPU with AVX-512F, dilation 1), else
    /// <see cref="Grouped"/> (see docs/BENCHMARKS.md).
    /// </summary>
    Auto = 0,

    /// <summary>im2col (<c>unfold</c>) of the input and one batched GEMM with the output gradients.</summary>
    Unfold = 1,

    /// <summary>The weight gradient of one grouped convolution with the samples as groups (no im2col buffer).</summary>
    Grouped = 2,

    /// <summary>
    /// The engine's own AVX-512 kernel, one sample at a time from a channels-last copy of its input; layers it does
    /// not apply to (dilation other than 1) take <see cref="Grouped"/>. Needs a CPU with AVX-512F.
    /// </summary>
    Direct = 3,
}
