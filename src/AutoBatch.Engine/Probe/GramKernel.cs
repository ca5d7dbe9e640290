namespace AutoBatch.Engine.Probe;

/// <summary>How the probe multiplies per-sample rows into their float64 Gram (same products, different speed).</summary>
public enum GramKernel
{
    /// <summary>The AVX-512 kernel when the CPU has AVX-512F, BLAS otherwise.</summary>
    Auto = 0,

    /// <summary>BLAS <c>dsyrk</c> (OpenBLAS here) on float64 copies of the rows, a block of columns at a time.</summary>
    Blas = 1,

    /// <summary>
    /// The engine's own AVX-512 kernel: rows packed to float64 per column block, register-tiled FMAs (1.3-1.7x faster
    /// than OpenBLAS's dsyrk at B = 128; docs/BENCHMARKS.md). Refused on a CPU without AVX-512F.
    /// </summary>
    Avx512 = 2,
}
