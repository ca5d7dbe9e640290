using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Interop;

/// <summary>Owns one native network (model + optimiser state); freed exactly once, deterministically on Dispose.</summary>
internal sealed class NetworkHandle : SafeHandle
{
    public NetworkHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static NetworkHandle FromPointer(IntPtr pointer)
    {
        var h = new NetworkHandle();
        h.SetHandle(pointer);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.NetFree(handle);
        return true;
    }
}
