namespace AutoBatch.Engine.Data;

/// <summary>
/// Reads the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky 2009; format as documented on the CIFAR page):
/// fixed-size records of label byte(s) followed by 3072 pixel bytes, the 1024 red, then green, then blue values of a
/// 32x32 image in row-major order, which is already the CHW layout of <see cref="ImageDataSet"/>.
/// </summary>
public static class CifarReader
{
    /// <summary>Side of a CIFAR image in pixels.</summary>
    public const int Side = 32;

    /// <summary>Pixel bytes per record: 3 channels x 32 x 32.</summary>
    public const int ImageBytes = 3 * Side * Side;

    /// <summary>CIFAR-10 record: 1 label byte + 3072 pixel bytes.</summary>
    public const int Cifar10RecordBytes = 1 + ImageBytes;

    /// <summary>CIFAR-100 record: coarse label byte + fine label byte + 3072 pixel bytes.</summary>
    public const int Cifar100RecordBytes = 2 + ImageBytes;

    private const int RecordsPerChunk = 512;

    /// <summary>Reads and concatenates CIFAR-10 batch files (e.g. <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>).</summary>
    /// <exception cref="DataFormatException">A file is empty, not a whole number of records, or has a label outside 0..9.</exception>
    public static ImageDataSet ReadCifar10(IReadOnlyList<string> paths) =>
        Read(paths, Cifar10RecordBytes, "CIFAR-10", 10, 0);

    /// <summary>Reads a CIFAR-100 file (<c>train.bin</c> or <c>test.bin</c>), keeping the 100 fine labels.</summary>
    /// <exception cref="DataFormatException">
    /// The file is empty, not a whole number of records, or has a coarse label outside 0..19 or a fine one outside 0..99.
    /// </exception>
    public static ImageDataSet ReadCifar100(string path) =>
        Read([path], Cifar100RecordBytes, "CIFAR-100", 100, 20);

    private static ImageDataSet Read(IReadOnlyList<string> paths, int recordBytes, string name, int classes, int coarseClasses)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfZero(paths.Count);

        long total = 0;
        int[] counts = new int[paths.Count];
        for (int f = 0; f < paths.Count; f++)
        {
            counts[f] = CountRecords(paths[f], recordBytes, name);
            total += counts[f];
        }

        if (total * ImageBytes > Array.MaxLength)
        {
            throw new DataFormatException(string.Join(", ", paths), $"expected at most {Array.MaxLength / ImageBytes} images in total, found {total}.");
        }

        byte[] pixels = new byte[total * ImageBytes];
        byte[] labels = new byte[total];
        byte[] chunk = new byte[RecordsPerChunk * recordBytes];
        int image = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            using var stream = new FileStream(paths[f], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            for (int done = 0; done < counts[f];)
            {
                int records = Math.Min(RecordsPerChunk, counts[f] - done);
                Span<byte> data = chunk.AsSpan(0, records * recordBytes);
                DataFile.ReadExactly(stream, data, paths[f], $"{name} records {done}..{done + records - 1}");
                for (int r = 0; r < records; r++)
                {
                    ReadOnlySpan<byte> item = data.Slice(r * recordBytes, recordBytes);
                    int label = item[recordBytes - ImageBytes - 1];
                    if (coarseClasses > 0 && item[0] >= coarseClasses)
                    {
                        throw LabelOutOfRange(paths[f], done + r, "coarse label", item[0], coarseClasses);
                    }

                    if (label >= classes)
                    {
                        throw LabelOutOfRange(paths[f], done + r, coarseClasses > 0 ? "fine label" : "label", label, classes);
                    }

                    labels[image] = (byte)label;
                    item[(recordBytes - ImageBytes)..].CopyTo(pixels.AsSpan(image * ImageBytes, ImageBytes));
                    image++;
                }

                done += records;
            }
        }

        return new ImageDataSet(pixels, labels, 3, Side, Side, classes, string.Join(", ", paths));
    }

    private static int CountRecords(string path, int recordBytes, string name)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new DataFormatException(path, $"expected {name} records of {recordBytes} bytes, found an empty file.");
        }

        if (length % recordBytes != 0)
        {
            throw new DataFormatException(
                path,
                $"expected a multiple of the {recordBytes}-byte {name} record ({recordBytes - ImageBytes} label byte(s) + {ImageBytes} pixel bytes), "
                + $"found {length} bytes ({length / recordBytes} whole records + {length % recordBytes} bytes).");
        }

        if (length / recordBytes > Array.MaxLength / ImageBytes)
        {
            throw new DataFormatException(path, $"{length / recordBytes} records are too many to hold in memory.");
        }

        return (int)(length / recordBytes);
    }

    private static DataFormatException LabelOutOfRange(string path, int record, string what, int value, int classes) =>
        new(path, $"expected {what} in 0..{classes - 1} in record {record}, found {value}.");
}
