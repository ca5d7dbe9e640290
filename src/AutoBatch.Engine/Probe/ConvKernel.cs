namespace AutoBatch.Engine.Probe;

/// <summary>How a materialised Conv2d layer computes its per-sample weight gradients (same numbers, different cost).</summary>
public enum ConvKernel
{
    /// <summary>The kernel measured fastest (currently <see cref="Grouped"/> for every layer; see docs/BENCHMARKS.md).</summary>
    Auto = 0,

    /// <summary>im2col (<c>unfold</c>) of the input and one batched GEMM with the output gradients.</summary>
    Unfold = 1,

    /// <summary>The weight gradient of one grouped convolution with the samples as groups (no im2col buffer).</summary>
    Grouped = 2,
}
