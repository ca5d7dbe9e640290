using System.IO.Compression;

namespace AutoBatch.Engine.Data;

/// <summary>Reading helpers shared by the format readers: transparent gzip and truncation checks that name the file.</summary>
internal static class DataFile
{
    /// <summary>Deflate (RFC 1951) cannot expand data by more than 1032:1; used to reject absurd headers before allocating.</summary>
    private const long MaxDeflateRatio = 1032;

    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading. A file starting with the gzip magic 1f 8b is decompressed
    /// on the fly whatever its extension. <paramref name="maxLength"/> is an upper bound on the bytes the stream can
    /// yield, so a header that promises more can be rejected as truncated without allocating.
    /// </summary>
    public static Stream Open(string path, out long maxLength)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (read == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                maxLength = file.Length * MaxDeflateRatio;
                return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            }

            maxLength = file.Length;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The error for a header that promises <paramref name="needed"/> bytes when the stream from <see cref="Open"/>
    /// can yield at most <paramref name="maxLength"/>: a truncated raw file, or an impossible compressed one.
    /// </summary>
    public static DataFormatException TooShort(string path, Stream stream, long maxLength, long needed, string what) =>
        stream is GZipStream
            ? new DataFormatException(path, $"file is truncated: its header promises {needed} bytes ({what}), more than the compressed file can hold.")
            : new DataFormatException(path, $"file is truncated: expected {needed} bytes ({what}), found {maxLength}.");

    /// <summary>Upper bound on what a zlib/deflate stream of <paramref name="compressedLength"/> bytes can inflate to.</summary>
    public static long MaxInflatedLength(long compressedLength) => compressedLength * MaxDeflateRatio;

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="stream"/>; a short read or corrupt compressed data becomes a
    /// <see cref="DataFormatException"/> that says what was being read (<paramref name="what"/>) and how much was found.
    /// </summary>
    public static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int read = stream.Read(buffer[total..]);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, $"corrupt compressed data while reading {what}: {ex.Message}", ex);
        }

        if (total < buffer.Length)
        {
            throw new DataFormatException(path, $"file is truncated: expected {buffer.Length} bytes of {what}, found {total}.");
        }
    }

    /// <summary>Throws unless <paramref name="stream"/> is at its end: trailing bytes mean the header lied about the count.</summary>
    public static void ExpectEnd(Stream stream, string path, long expectedLength)
    {
        Span<byte> probe = stackalloc byte[1];
        int read;
        try
        {
            read = stream.Read(probe);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, $"corrupt compressed data after the last record: {ex.Message}", ex);
        }

        if (read != 0)
        {
            throw new DataFormatException(
                path, $"expected the (decompressed) file to end after {expectedLength} bytes as its header says, but it has trailing data.");
        }
    }

    /// <summary>Wraps a zlib/gzip failure (an <see cref="InvalidDataException"/> from the runtime) so that it names the file.</summary>
    public static DataFormatException Corrupt(string path, InvalidDataException cause) =>
        new(path, $"corrupt compressed data: {cause.Message}", cause);
}
