using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkSgdTensor (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeSgdTensor(float* parameter, float* gradient, float* momentum, long length)
{
    public float* Parameter = parameter;
    public float* Gradient = gradient;
    public float* Momentum = momentum;
    public long Length = length;
}
