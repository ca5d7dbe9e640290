namespace AutoBatch.Engine.Kernels;

/// <summary>
/// The residual shortcut's 2 x 2 average pooling at stride 2 over host float32 buffers (libautobatch_kernels,
/// Native/AveragePool.h): planes x height x width in, planes x height/2 x width/2 out, height and width even; the bits
/// of LibTorch's avg_pool2d, forward and backward. A refused argument throws <see cref="ArgumentException"/>.
/// </summary>
internal static unsafe class PoolingKernels
{
    /// <summary>y = the mean of each 2 x 2 block of x.</summary>
    public static void Forward(float* x, long planes, long height, long width, float* y, int threads) =>
        KernelMethods.Check(KernelMethods.AveragePool2x2(x, planes, height, width, y, threads));

    /// <summary>dx = dy / 4 at each of a block's four positions.</summary>
    public static void Backward(float* dy, long planes, long height, long width, float* dx, int threads) =>
        KernelMethods.Check(KernelMethods.AveragePool2x2Backward(dy, planes, height, width, dx, threads));
}
