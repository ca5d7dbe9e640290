using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkBatchNormShape (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeBatchNormShape(long n, long channels, long positions)
{
    public long N = n;
    public long Channels = channels;
    public long Positions = positions;
}
