using System.Buffers.Binary;
using System.Text;

namespace AutoBatch.Engine.Tests.Weights;

/// <summary>
/// A minimal safetensors writer independent of the engine's: the caller writes the JSON header by hand, so tests
/// can build valid files in layouts the engine never produces, and corrupt ones.
/// </summary>
internal static class SafeTensorsBytes
{
    /// <summary>u64 little-endian header length, the header's UTF-8 bytes, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    /// <summary>As <see cref="Build(string, byte[])"/> with raw header bytes (which need not be UTF-8).</summary>
    public static byte[] Build(byte[] header, byte[] data) => Build((ulong)header.Length, header, data);

    /// <summary>A file whose declared header length may differ from the header actually written.</summary>
    public static byte[] Build(ulong declaredLength, byte[] header, byte[] data)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>Little-endian float32 bytes.</summary>
    public static byte[] Floats(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    /// <summary>Little-endian int64 bytes.</summary>
    public static byte[] Longs(params long[] values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }
}
