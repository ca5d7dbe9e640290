using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>
/// P/Invoke declarations for libautobatch_kernels (Native/KernelsApi.h), one-to-one; <see cref="ProbeKernels"/> is the
/// typed face of them.
/// </summary>
internal static unsafe partial class KernelMethods
{
    internal const string Library = "autobatch_kernels";

    [LibraryImport(Library, EntryPoint = "abk_last_error")]
    internal static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "abk_avx512_available")]
    internal static partial KernelStatus Avx512Available(int* available);

    [LibraryImport(Library, EntryPoint = "abk_row_gram_f32")]
    internal static partial KernelStatus RowGramF32(float* rows, long n, long k, long ld, double* output, int kernel, int threads, int lowerOnly);

    [LibraryImport(Library, EntryPoint = "abk_row_gram_f64")]
    internal static partial KernelStatus RowGramF64(double* rows, long n, long k, long ld, double* output, int kernel, int threads, int lowerOnly);

    [LibraryImport(Library, EntryPoint = "abk_mirror_lower")]
    internal static partial KernelStatus MirrorLower(double* matrix, long n);

    [LibraryImport(Library, EntryPoint = "abk_direct_conv_rows")]
    internal static partial KernelStatus DirectConvRows(NativeConvShape* shape, float* x, float* delta, long n, float* output, long ld, int threads);

    [LibraryImport(Library, EntryPoint = "abk_batch_norm_sums")]
    internal static partial KernelStatus BatchNormSums(
        float* x, float* delta, long n, long channels, long positions, double* shift, int kernel, int threads,
        double* sumX, double* sumXX, double* sumDeltaX, double* sumDelta);

    [LibraryImport(Library, EntryPoint = "abk_batch_norm_train_forward")]
    internal static partial KernelStatus BatchNormTrainForward(
        NativeBatchNormShape* shape, float* x, float* weight, float* bias, double eps, double momentum, float* runningMean,
        float* runningVariance, float* y, float* mean, float* invstd, int kernel, int threads);

    [LibraryImport(Library, EntryPoint = "abk_batch_norm_train_backward")]
    internal static partial KernelStatus BatchNormTrainBackward(
        NativeBatchNormShape* shape, float* x, float* dy, float* mean, float* invstd, float* weight, float* dx,
        float* dweight, float* dbias, int kernel, int threads);

    [LibraryImport(Library, EntryPoint = "abk_average_pool_2x2")]
    internal static partial KernelStatus AveragePool2x2(float* x, long planes, long height, long width, float* y, int threads);

    [LibraryImport(Library, EntryPoint = "abk_average_pool_2x2_backward")]
    internal static partial KernelStatus AveragePool2x2Backward(float* dy, long planes, long height, long width, float* dx, int threads);

    [LibraryImport(Library, EntryPoint = "abk_gram_summary")]
    internal static partial KernelStatus GramSummary(double* gram, long n, double* symmetric, int threads, NativeGramSummary* result);

    [LibraryImport(Library, EntryPoint = "abk_spectrum_extremes")]
    internal static partial KernelStatus SpectrumExtremes(double* gram, long n, double maxAbs, double rankTolerance, NativeSpectrumExtremes* result);

    [LibraryImport(Library, EntryPoint = "abk_sgd_step")]
    internal static partial KernelStatus SgdStep(NativeSgdTensor* tensors, int count, NativeSgdSettings* settings, int threads);

    [LibraryImport(Library, EntryPoint = "abk_gradients_finite")]
    internal static partial KernelStatus GradientsFinite(NativeSgdTensor* tensors, int count, int kernel, int threads, int* finite);

    /// <summary>
    /// Turns a failure status into an exception carrying the native message: <see cref="ArgumentException"/> for an
    /// invalid argument, <see cref="InvalidOperationException"/> for anything else.
    /// </summary>
    internal static void Check(KernelStatus status)
    {
        if (status == KernelStatus.Ok)
        {
            return;
        }

        throw status == KernelStatus.InvalidArgument
            ? new ArgumentException(Message())
            : new InvalidOperationException(Message());
    }

    /// <summary>The calling thread's last native failure message.</summary>
    internal static string Message() => Marshal.PtrToStringUTF8(LastError()) ?? "unknown error in the native kernels";
}
