using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Kernels;

/// <summary>
/// BatchNorm2d's training-mode forward and backward over host float32 buffers, one native call each
/// (libautobatch_kernels, Native/BatchNormTraining.h). Inputs are n x channels x positions, contiguous. The AVX-512
/// and portable code (<see cref="GramKernel.Blas"/>) give the same bits, as every thread count does. A refused argument
/// throws <see cref="ArgumentException"/> with the native message.
/// </summary>
internal static unsafe class BatchNormKernels
{
    /// <summary>
    /// y = (x − mean)·invstd·weight + bias with the batch's per-channel mean and biased variance (float64 sums);
    /// writes mean and invstd for the backward and, when <paramref name="runningMean"/> is not null, moves the running
    /// statistics by <paramref name="momentum"/> towards the batch's mean and unbiased variance.
    /// </summary>
    public static void Forward(
        NativeBatchNormShape shape, float* x, float* weight, float* bias, double eps, double momentum,
        float* runningMean, float* runningVariance, float* y, float* mean, float* invstd, int threads,
        GramKernel kernel = GramKernel.Auto) =>
        KernelMethods.Check(KernelMethods.BatchNormTrainForward(
            &shape, x, weight, bias, eps, momentum, runningMean, runningVariance, y, mean, invstd, (int)kernel, threads));

    /// <summary>
    /// The forward's gradients from dy: dbias = Σ dy, dweight = Σ dy·(x − mean)·invstd, and dx unless
    /// <paramref name="dx"/> is null.
    /// </summary>
    public static void Backward(
        NativeBatchNormShape shape, float* x, float* dy, float* mean, float* invstd, float* weight, float* dx,
        float* dweight, float* dbias, int threads, GramKernel kernel = GramKernel.Auto) =>
        KernelMethods.Check(KernelMethods.BatchNormTrainBackward(
            &shape, x, dy, mean, invstd, weight, dx, dweight, dbias, (int)kernel, threads));
}
