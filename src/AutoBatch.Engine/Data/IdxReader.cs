using System.Buffers.Binary;

namespace AutoBatch.Engine.Data;

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE", file formats section):
/// a big-endian header (magic, then one 32-bit size per dimension) followed by unsigned bytes. Files may be raw or
/// gzip-compressed; gzip is recognised by its magic bytes, not by the file name.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic of an unsigned-byte, 3-dimensional IDX file (images: count x rows x columns).</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const uint LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads an images file and a labels file into a data set of <paramref name="classes"/> classes, checking that
    /// they hold the same number of items.
    /// </summary>
    /// <exception cref="DataFormatException">Either file is malformed or the counts differ.</exception>
    public static ImageDataSet Read(string imagesPath, string labelsPath, int classes = 10)
    {
        var (pixels, count, height, width) = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath, classes);
        if (labels.Length != count)
        {
            throw new DataFormatException(
                labelsPath, $"expected {count} labels to match the {count} images in {imagesPath}, found {labels.Length}.");
        }

        return new ImageDataSet(pixels, labels, 1, height, width, classes, $"{imagesPath} + {labelsPath}");
    }

    /// <summary>Reads an IDX images file (magic 0x00000803): <c>count</c> grey-scale images of <c>height x width</c>.</summary>
    /// <exception cref="DataFormatException">Wrong magic, zero sizes, truncated payload or trailing data.</exception>
    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using Stream stream = DataFile.Open(path, out long maxLength);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(stream, header, path, ImagesMagic, "unsigned byte, 3 dims");
        int count = ReadSize(header, 4, path, "image count");
        int height = ReadSize(header, 8, path, "row count");
        int width = ReadSize(header, 12, path, "column count");

        // Three 31-bit sizes can overflow even a long, so bound the product one factor at a time.
        long imageBytes = (long)height * width;
        if (imageBytes > Array.MaxLength || count > Array.MaxLength / imageBytes)
        {
            throw new DataFormatException(path, $"expected at most {Array.MaxLength} pixel bytes, found a header for {count} images of {height}x{width}.");
        }

        long payload = count * imageBytes;

        if (header.Length + payload > maxLength)
        {
            throw DataFile.TooShort(path, stream, maxLength, header.Length + payload, $"a 16-byte header and {count} images of {height}x{width}");
        }

        byte[] pixels = new byte[payload];
        DataFile.ReadExactly(stream, pixels, path, $"pixels ({count} images of {height}x{width})");
        DataFile.ExpectEnd(stream, path, header.Length + payload);
        return (pixels, count, height, width);
    }

    /// <summary>Reads an IDX labels file (magic 0x00000801) whose labels must all lie in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="DataFormatException">Wrong magic, truncated payload, trailing data or a label out of range.</exception>
    public static byte[] ReadLabels(string path, int classes = 10)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        using Stream stream = DataFile.Open(path, out long maxLength);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, header, path, LabelsMagic, "unsigned byte, 1 dim");
        int count = ReadSize(header, 4, path, "label count");
        if (header.Length + (long)count > maxLength)
        {
            throw DataFile.TooShort(path, stream, maxLength, header.Length + (long)count, $"an 8-byte header and {count} labels");
        }

        byte[] labels = new byte[count];
        DataFile.ReadExactly(stream, labels, path, $"labels ({count} items)");
        DataFile.ExpectEnd(stream, path, header.Length + (long)count);

        int bad = labels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)(classes - 1));
        if (bad >= 0)
        {
            throw new DataFormatException(path, $"expected labels in 0..{classes - 1}, found {labels[bad]} at index {bad}.");
        }

        return labels;
    }

    private static void ReadHeader(Stream stream, Span<byte> header, string path, uint expectedMagic, string meaning)
    {
        // The magic first, so that a wrong kind of file is reported as such even when it is short.
        DataFile.ReadExactly(stream, header[..4], path, "IDX magic");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string hint = magic switch
            {
                ImagesMagic => " (an images file)",
                LabelsMagic => " (a labels file)",
                _ => string.Empty,
            };
            throw new DataFormatException(path, $"expected IDX magic 0x{expectedMagic:X8} ({meaning}), found 0x{magic:X8}{hint}.");
        }

        DataFile.ReadExactly(stream, header[4..], path, "IDX header sizes");
    }

    private static int ReadSize(ReadOnlySpan<byte> header, int offset, string path, string what)
    {
        uint size = BinaryPrimitives.ReadUInt32BigEndian(header[offset..]);
        if (size == 0 || size > int.MaxValue)
        {
            throw new DataFormatException(path, $"expected a positive {what} in the IDX header, found {size}.");
        }

        return (int)size;
    }
}
