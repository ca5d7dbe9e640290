using System.Buffers.Binary;
using System.IO.Compression;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.TestUtilities;

/// <summary>Independent writers for small IDX and CIFAR files, following the published format descriptions.</summary>
public static class TestFiles
{
    /// <summary>An IDX file: big-endian magic 0x00 0x00 0x08 ndims, one big-endian uint32 per dimension, then the bytes.</summary>
    public static byte[] Idx(uint magic, int[] dims, byte[] payload)
    {
        byte[] file = new byte[4 + (4 * dims.Length) + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(file, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + (4 * i)), dims[i]);
        }

        payload.CopyTo(file, 4 + (4 * dims.Length));
        return file;
    }

    public static byte[] IdxImages(int count, int rows, int cols, byte[] pixels) => Idx(0x00000803, [count, rows, cols], pixels);

    public static byte[] IdxLabels(byte[] labels) => Idx(0x00000801, [labels.Length], labels);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>CIFAR records: optional coarse label byte, label byte, then the 3072 pixels of the image.</summary>
    public static byte[] CifarRecords(byte[] labels, byte[]? coarseLabels, byte[] pixels)
    {
        int labelBytes = coarseLabels is null ? 1 : 2;
        int recordBytes = labelBytes + 3072;
        byte[] file = new byte[labels.Length * recordBytes];
        for (int i = 0; i < labels.Length; i++)
        {
            int at = i * recordBytes;
            if (coarseLabels is not null)
            {
                file[at] = coarseLabels[i];
            }

            file[at + labelBytes - 1] = labels[i];
            Array.Copy(pixels, i * 3072, file, at + labelBytes, 3072);
        }

        return file;
    }

    public static byte[] RandomBytes(int length, ulong seed)
    {
        var rng = new Pcg32(seed);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)rng.NextInt(256);
        }

        return bytes;
    }

    public static byte[] RandomLabels(int count, int classes, ulong seed)
    {
        var rng = new Pcg32(seed, 7);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)rng.NextInt(classes);
        }

        return labels;
    }
}
