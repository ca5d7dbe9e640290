using AutoBatch.Engine.Data.Mat;

namespace AutoBatch.Engine.Data;

/// <summary>
/// Reads the SVHN cropped-digits files (<c>train_32x32.mat</c>, <c>test_32x32.mat</c>; Netzer et al. 2011):
/// MATLAB Level-5 MAT files holding <c>X</c>, a 32x32x3xN uint8 array in MATLAB's column-major order
/// (row, column, channel, image), and <c>y</c>, N labels 1..10 where 10 stands for the digit 0.
/// Plain miMATRIX and zlib-compressed (miCOMPRESSED, the default of MATLAB v7) elements are both supported.
/// </summary>
public static class SvhnReader
{
    /// <summary>Side of an SVHN image in pixels.</summary>
    public const int Side = 32;

    private const int Channels = 3;
    private const int ImageBytes = Channels * Side * Side;
    private const int ImagesPerChunk = 1024;

    /// <summary>Reads <paramref name="path"/> into a data set with labels 0..9 (label 10 becomes 0) and CHW images.</summary>
    /// <exception cref="DataFormatException">
    /// The file is not a little-endian Level-5 MAT file, is truncated or corrupt, lacks <c>X</c> or <c>y</c>, or they
    /// have the wrong class, shape or values.
    /// </exception>
    public static ImageDataSet Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return ReadCore(path);
        }
        catch (InvalidDataException ex)
        {
            throw DataFile.Corrupt(path, ex);
        }
    }

    private static ImageDataSet ReadCore(string path)
    {
        using var mat = new MatFileReader(path);
        byte[]? pixels = null;
        byte[]? labels = null;
        var seen = new List<string>();
        while (mat.NextArray() is { } array)
        {
            seen.Add(array.Name);
            if (array.Name == "X")
            {
                pixels = pixels is null ? ReadImages(mat, array) : throw Duplicate(path, "X");
            }
            else if (array.Name == "y")
            {
                labels = labels is null ? ReadLabels(mat, array) : throw Duplicate(path, "y");
            }
        }

        string found = seen.Count == 0 ? "no variables" : $"variables {string.Join(", ", seen)}";
        if (pixels is null)
        {
            throw new DataFormatException(path, $"expected a variable 'X' (uint8 32x32x3xN images), found {found}.");
        }

        if (labels is null)
        {
            throw new DataFormatException(path, $"expected a variable 'y' (N labels 1..10), found {found}.");
        }

        int count = pixels.Length / ImageBytes;
        if (labels.Length != count)
        {
            throw new DataFormatException(path, $"expected {count} labels in 'y' to match the {count} images in 'X', found {labels.Length}.");
        }

        return new ImageDataSet(pixels, labels, Channels, Side, Side, 10, path);
    }

    private static byte[] ReadImages(MatFileReader mat, MatArrayHeader array)
    {
        int[] d = array.Dimensions;
        bool shapeOk = d.Length == 4 && d[0] == Side && d[1] == Side && d[2] == Channels && d[3] > 0;
        if (array.Class != MatClass.UInt8 || array.IsComplex || !shapeOk || array.DataType != MatDataType.UInt8)
        {
            throw new DataFormatException(mat.Path, $"expected 'X' to be a real uint8 32x32x3xN array stored as miUINT8, found {array.Describe()} stored as data type {(int)array.DataType}.");
        }

        long expected = array.ElementCount();
        if (expected < 0 || array.DataBytes != expected)
        {
            throw new DataFormatException(mat.Path, $"expected {(expected < 0 ? "at most " + Array.MaxLength : expected)} bytes of pixels for 'X' ({array.Describe()}), found {array.DataBytes}.");
        }

        int count = d[3];
        byte[] pixels = new byte[expected];
        byte[] chunk = new byte[Math.Min(count, ImagesPerChunk) * ImageBytes];
        for (int first = 0; first < count; first += ImagesPerChunk)
        {
            int images = Math.Min(ImagesPerChunk, count - first);
            Span<byte> raw = chunk.AsSpan(0, images * ImageBytes);
            mat.ReadData(raw, $"pixels of images {first}..{first + images - 1} of 'X'");
            ToChw(raw, pixels.AsSpan(first * ImageBytes, images * ImageBytes));
        }

        return pixels;
    }

    /// <summary>
    /// MATLAB stores X(row, col, ch, n) at row + 32*(col + 32*(ch + 3*n)); CHW wants col + 32*(row + 32*(ch + 3*n)),
    /// so each 32x32 plane is transposed.
    /// </summary>
    private static void ToChw(ReadOnlySpan<byte> columnMajor, Span<byte> chw)
    {
        for (int plane = 0; plane < columnMajor.Length; plane += Side * Side)
        {
            ReadOnlySpan<byte> src = columnMajor.Slice(plane, Side * Side);
            Span<byte> dst = chw.Slice(plane, Side * Side);
            for (int col = 0; col < Side; col++)
            {
                ReadOnlySpan<byte> column = src.Slice(col * Side, Side);
                for (int row = 0; row < Side; row++)
                {
                    dst[row * Side + col] = column[row];
                }
            }
        }
    }

    private static byte[] ReadLabels(MatFileReader mat, MatArrayHeader array)
    {
        int[] d = array.Dimensions;
        long count = array.ElementCount();
        int size = MatFileReader.ElementSize(array.DataType);
        if (!array.IsNumeric || array.IsComplex || d.Length != 2 || (d[0] != 1 && d[1] != 1) || count <= 0)
        {
            throw new DataFormatException(mat.Path, $"expected 'y' to be a real numeric Nx1 array, found {array.Describe()}.");
        }

        if (array.DataBytes != count * size)
        {
            throw new DataFormatException(mat.Path, $"expected {count * size} bytes of data for 'y' ({array.Describe()}), found {array.DataBytes}.");
        }

        byte[] raw = new byte[count * size];
        mat.ReadData(raw, "labels 'y'");
        byte[] labels = new byte[count];
        for (int i = 0; i < labels.Length; i++)
        {
            double value = MatFileReader.Decode(raw, array.DataType, i);
            if (value is < 1 or > 10 || value != Math.Floor(value))
            {
                throw new DataFormatException(mat.Path, $"expected labels 1..10 in 'y' (10 meaning digit 0), found {value} at index {i}.");
            }

            labels[i] = (byte)(value == 10 ? 0 : value);
        }

        return labels;
    }

    private static DataFormatException Duplicate(string path, string name) =>
        new(path, $"expected one variable '{name}', found it twice.");
}
