using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkGramSummary (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeGramSummary
{
    public int Finite;
    public double MaxAbs;
    public double Sum;
    public double Trace;
}
