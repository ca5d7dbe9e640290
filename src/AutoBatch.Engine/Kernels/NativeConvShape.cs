using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkConvShape (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeConvShape
{
    public long Channels;
    public long Height;
    public long Width;
    public long OutChannels;
    public long OutHeight;
    public long OutWidth;
    public long KernelHeight;
    public long KernelWidth;
    public long StrideHeight;
    public long StrideWidth;
    public long PadHeight;
    public long PadWidth;

    public NativeConvShape(in DirectConvShape shape)
    {
        Channels = shape.Channels;
        Height = shape.Height;
        Width = shape.Width;
        OutChannels = shape.OutChannels;
        OutHeight = shape.OutHeight;
        OutWidth = shape.OutWidth;
        KernelHeight = shape.KernelHeight;
        KernelWidth = shape.KernelWidth;
        StrideHeight = shape.StrideHeight;
        StrideWidth = shape.StrideWidth;
        PadHeight = shape.PadHeight;
        PadWidth = shape.PadWidth;
    }
}
