using System.Runtime.InteropServices;
using AutoBatch.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Training;

/// <summary>Batches from host spans into tensors on the network's device, and gradients back.</summary>
internal static class HostTransfer
{
    /// <summary>B x C x H x W float32 from <paramref name="x"/>, on <paramref name="device"/> (one copy, then one transfer).</summary>
    public static Tensor Images(ReadOnlySpan<float> x, int batch, InputShape input, Device device)
    {
        Tensor host = empty([batch, input.Channels, input.Height, input.Width], ScalarType.Float32);
        x.CopyTo(MemoryMarshal.Cast<byte, float>(host.bytes));
        return device.type == DeviceType.CPU ? host : host.to(device);
    }

    /// <summary>Int64 labels, each checked to lie in [0, <paramref name="classes"/>).</summary>
    public static Tensor Labels(ReadOnlySpan<long> y, int classes, Device device)
    {
        foreach (long label in y)
        {
            if (label < 0 || label >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(y), label, $"Labels must be in [0, {classes}).");
            }
        }

        Tensor host = empty([y.Length], ScalarType.Int64);
        y.CopyTo(MemoryMarshal.Cast<byte, long>(host.bytes));
        return device.type == DeviceType.CPU ? host : host.to(device);
    }

    /// <summary>A float32 tensor's values into <paramref name="destination"/>.</summary>
    public static void Floats(Tensor t, Span<float> destination)
    {
        using var scope = NewDisposeScope();
        MemoryMarshal.Cast<byte, float>(t.detach().cpu().contiguous().bytes).CopyTo(destination);
    }
}
