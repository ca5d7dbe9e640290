using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkSpectrumExtremes (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeSpectrumExtremes
{
    public double LambdaMax;
    public int Rank;
    public double LambdaMinPositive;
}
