using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Kernels;

/// <summary>
/// The optimiser's step and the gradients' finiteness check over every trained parameter in one native call each
/// (libautobatch_kernels, Native/SgdStep.h), on host float32 buffers. A refused argument throws
/// <see cref="ArgumentException"/> with the native message.
/// </summary>
internal static unsafe class SgdKernels
{
    /// <summary>
    /// p ← p − α·d with g' = g + λp, b ← μb + g', d = g' + μb (Nesterov) or b, element by element in float32 with
    /// PyTorch's fused multiply-adds: the bits of the same tensor operations. The gradients are not written.
    /// The kernel is the settings' (<see cref="NativeSgdSettings.Kernel"/>): the AVX-512 and portable code agree bit for bit.
    /// </summary>
    public static void Step(ReadOnlySpan<NativeSgdTensor> tensors, in NativeSgdSettings settings, int threads)
    {
        fixed (NativeSgdTensor* t = tensors)
        fixed (NativeSgdSettings* s = &settings)
        {
            KernelMethods.Check(KernelMethods.SgdStep(t, tensors.Length, s, threads));
        }
    }

    /// <summary>
    /// True when every element of every tensor's gradient is finite. <see cref="GramKernel.Blas"/> selects the
    /// portable code, <see cref="GramKernel.Avx512"/> asks for the AVX-512 one (refused on a CPU without AVX-512F).
    /// </summary>
    public static bool GradientsFinite(ReadOnlySpan<NativeSgdTensor> tensors, int threads, GramKernel kernel = GramKernel.Auto)
    {
        int finite;
        fixed (NativeSgdTensor* t = tensors)
        {
            KernelMethods.Check(KernelMethods.GradientsFinite(t, tensors.Length, (int)kernel, threads, &finite));
        }

        return finite != 0;
    }
}
