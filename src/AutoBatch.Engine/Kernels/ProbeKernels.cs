using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Kernels;

/// <summary>
/// The Fisher probe's hot kernels (libautobatch_kernels, Native/KernelsApi.h) over raw host buffers: pointers from
/// TorchSharp tensors (contiguous, on the CPU) and the shapes that describe them. No libtorch of its own: it can live in
/// a TorchSharp process. Shapes, strides, thread counts and null pointers are checked natively; that a buffer holds
/// what its shape says is the caller's promise. Thread counts (1..1024) size an OpenMP team of libgomp's; results do
/// not depend on them. A refused argument throws <see cref="ArgumentException"/> with the native message, any other
/// failure <see cref="InvalidOperationException"/>.
/// </summary>
public static unsafe class ProbeKernels
{
    private static readonly Lazy<bool> s_avx512 = new(QueryAvx512);

    /// <summary>True when this CPU (and OS) runs the AVX-512 kernels (AVX-512F).</summary>
    public static bool Avx512Available => s_avx512.Value;

    /// <summary>
    /// <paramref name="output"/> (n x n float64, row-major) = X Xᵀ for n float32 rows of k values, row i at
    /// <c>rows + i * ld</c> (ld ≥ k); every product and sum in float64. <paramref name="lowerOnly"/>: only the lower
    /// triangle, diagonal included, is written; the upper one is left as it was. <see cref="GramKernel.Avx512"/> on a CPU
    /// without AVX-512F is refused (<see cref="ArgumentException"/>); <see cref="GramKernel.Blas"/> runs OpenBLAS's
    /// dsyrk on one thread (<see cref="InvalidOperationException"/> when no BLAS is installed).
    /// </summary>
    public static void RowGram(float* rows, long n, long k, long ld, double* output, GramKernel kernel, int threads, bool lowerOnly) =>
        KernelMethods.Check(KernelMethods.RowGramF32(rows, n, k, ld, output, (int)kernel, threads, lowerOnly ? 1 : 0));

    /// <summary>As the float32 overload, for float64 rows.</summary>
    public static void RowGram(double* rows, long n, long k, long ld, double* output, GramKernel kernel, int threads, bool lowerOnly) =>
        KernelMethods.Check(KernelMethods.RowGramF64(rows, n, k, ld, output, (int)kernel, threads, lowerOnly ? 1 : 0));

    /// <summary>Copies the lower triangle of <paramref name="matrix"/> (n x n, row-major) into the upper one, exactly.</summary>
    public static void MirrorLower(double* matrix, long n) => KernelMethods.Check(KernelMethods.MirrorLower(matrix, n));

    /// <summary>
    /// Per-sample weight gradients of a convolution by the direct AVX-512 kernel: <paramref name="x"/> n x C x H x W and
    /// <paramref name="delta"/> (the output gradient) n x O x Ho x Wo, contiguous float32. Row i of
    /// <paramref name="output"/> (n rows of ld ≥ O·kh·kw·C floats) gets sample i's gradients in (o, ky, kx, c) order
    /// (PyTorch's weight is (o, c, ky, kx): permute the summed rows back); columns past O·kh·kw·C (a bias, say) are left
    /// as they were. Float32 with fused multiply-adds. <see cref="InvalidOperationException"/> on a CPU without AVX-512F.
    /// </summary>
    public static void DirectConvRows(in DirectConvShape shape, float* x, float* delta, long n, float* output, long ld, int threads)
    {
        var native = new NativeConvShape(shape);
        KernelMethods.Check(KernelMethods.DirectConvRows(&native, x, delta, n, output, ld, threads));
    }

    /// <summary>
    /// BatchNorm's sums per (sample, channel) around a per-channel shift k (<paramref name="shift"/>, one per channel),
    /// over the positions of <paramref name="x"/> and <paramref name="delta"/> (n x channels x positions float32):
    /// Σ(x−k), Σ(x−k)², Σδ(x−k) and Σδ into four n x channels float64 arrays, in float64. The AVX-512 code unless
    /// <see cref="GramKernel.Blas"/> selects the portable one; both give the same bits.
    /// </summary>
    public static void BatchNormSums(
        float* x, float* delta, long n, long channels, long positions, double* shift, GramKernel kernel, int threads,
        double* sumX, double* sumXX, double* sumDeltaX, double* sumDelta) =>
        KernelMethods.Check(KernelMethods.BatchNormSums(
            x, delta, n, channels, positions, shift, (int)kernel, threads, sumX, sumXX, sumDeltaX, sumDelta));

    /// <summary>
    /// F̃'s pass before its spectrum: with <paramref name="symmetric"/> not null, writes (F̃ + F̃ᵀ) / 2 there (n x n, not
    /// overlapping <paramref name="gram"/>; exactly symmetric) and summarises that; with it null, summarises
    /// <paramref name="gram"/> as it is (the caller knows it to be symmetric, after <see cref="MirrorLower"/> say).
    /// The maximum and sum run in four interleaved lanes added in a fixed order, as the native engine's probe does.
    /// </summary>
    public static GramSummary SummariseGram(double* gram, long n, double* symmetric, int threads)
    {
        NativeGramSummary native;
        KernelMethods.Check(KernelMethods.GramSummary(gram, n, symmetric, threads, &native));
        return new GramSummary(native.Finite != 0, native.MaxAbs, native.Sum, native.Trace);
    }

    /// <summary>
    /// λmax, the rank and the smallest counted eigenvalue of a finite symmetric n x n float64 matrix that is not all zero
    /// (LAPACK's dsytrd, then Sturm-count multisection). <paramref name="maxAbs"/> &gt; 0: its largest |entry|, which the
    /// caller has found. An eigenvalue counts when √λ &gt; √λmax · <paramref name="rankTolerance"/> (0 ≤ tolerance &lt; 1).
    /// Only the upper triangle is read; nothing is written. False when LAPACK is not available (or declines: n &gt;
    /// 46340, subnormal entries only): compute the whole spectrum instead.
    /// </summary>
    public static bool TrySpectrumExtremes(double* gram, long n, double maxAbs, double rankTolerance, out SpectrumExtremes result)
    {
        NativeSpectrumExtremes native;
        KernelStatus status = KernelMethods.SpectrumExtremes(gram, n, maxAbs, rankTolerance, &native);
        if (status == KernelStatus.NotAvailable)
        {
            result = default;
            return false;
        }

        KernelMethods.Check(status);
        result = new SpectrumExtremes(native.LambdaMax, native.Rank, native.LambdaMinPositive);
        return true;
    }

    private static bool QueryAvx512()
    {
        int available;
        KernelMethods.Check(KernelMethods.Avx512Available(&available));
        return available != 0;
    }
}
