using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Raw pointers into tensors for our kernels (libautobatch_kernels), which take host buffers. A tensor on a device is
/// copied to the host first: the probe's kernels then pay one transfer of their inputs (the captured activations and
/// gradients, or per-sample rows) per probe.
/// </summary>
internal static unsafe class HostTensors
{
    /// <summary>The tensor on the host, contiguous, of <paramref name="type"/> (the same tensor when it already is).</summary>
    public static Tensor Host(Tensor t, ScalarType type)
    {
        Tensor host = t.device_type == DeviceType.CPU ? t : t.cpu();
        if (host.dtype != type)
        {
            host = host.to(type);
        }

        return host.contiguous();
    }

    /// <summary>The address of a contiguous host tensor's first element (native memory: it does not move).</summary>
    public static void* Address(Tensor t) =>
        t.numel() == 0 ? null : Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
