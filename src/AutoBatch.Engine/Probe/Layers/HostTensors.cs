using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Raw pointers into tensors for our kernels (libautobatch_kernels), which read and write host memory only, and the
/// one rule for tensors that are not there (<see cref="Placement"/>): a job with a path of tensor operations takes it
/// on the device; a job without one copies its inputs to the host explicitly (<see cref="Host"/>), one transfer per
/// probe of what the kernel reads (docs/TORCHSHARP.md, 'Devices', gives the bytes).
/// </summary>
internal static unsafe class HostTensors
{
    /// <summary>
    /// Where a job of our kernels runs for tensors on <paramref name="device"/>: our kernel on the tensors themselves on
    /// the CPU; elsewhere the tensor operations when the job has them (<paramref name="tensorOperations"/>: the
    /// optimiser's step, a conv layer's per-sample rows, the fused conv path's unfused backward), else our kernel on
    /// host copies (the Grams' float64 products, BatchNorm's per-sample sums).
    /// </summary>
    public static KernelPlacement Placement(DeviceType device, bool tensorOperations) =>
        device == DeviceType.CPU ? KernelPlacement.HostKernel
        : tensorOperations ? KernelPlacement.TensorOperations
        : KernelPlacement.CopyToHost;

    /// <summary>
    /// The tensor on the host, contiguous, of <paramref name="type"/> (the same tensor when it already is): a copy, and
    /// a transfer, when the tensor is on a device.
    /// </summary>
    public static Tensor Host(Tensor t, ScalarType type)
    {
        Tensor host = Placement(t.device_type, tensorOperations: false) == KernelPlacement.HostKernel ? t : t.cpu();
        if (host.dtype != type)
        {
            host = host.to(type);
        }

        return host.contiguous();
    }

    /// <summary>The address of a contiguous host tensor's first element (native memory: it does not move).</summary>
    /// <exception cref="InvalidOperationException">The tensor is on a device (a caller that skipped <see cref="Placement"/>).</exception>
    public static void* Address(Tensor t) =>
        t.device_type != DeviceType.CPU
            ? throw new InvalidOperationException($"Our kernels read host memory only; a tensor on {t.device} must take its tensor operations or be copied to the host first.")
            : t.numel() == 0 ? null : Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
