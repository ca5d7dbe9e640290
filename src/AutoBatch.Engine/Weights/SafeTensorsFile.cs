using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Weights;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face, <c>huggingface/safetensors</c>, "Format" section):
/// an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}</c>,
/// then the raw little-endian data buffer, with offsets relative to the buffer's start. Only the two element
/// types the engine's state uses are supported: <c>F32</c> (float32) and <c>I64</c> (int64).
/// </summary>
/// <remarks>
/// The writer lays the tensors out contiguously in list order and pads the header with spaces to a multiple of
/// 8 bytes, as the reference implementation does, so that every tensor is 8-byte aligned in the file. The reader
/// accepts any tensor order but insists on what the reference implementation insists on: every byte of the buffer
/// belongs to exactly one tensor. Raw bytes are copied as they are, so this assumes a little-endian machine.
/// </remarks>
public static class SafeTensorsFile
{
    /// <summary>The key of the string-to-string metadata map in the header.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The element types this reader and writer support, for messages.</summary>
    internal const string Supported = "only F32 (float32) and I64 (int64) are supported";

    /// <summary>
    /// Writes <paramref name="tensors"/> (in list order) and <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically: the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file
    /// then replaces <paramref name="path"/>, so a reader never sees a half-written file.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A name is empty, repeated or the reserved <see cref="MetadataKey"/>; a dimension is negative; or a tensor's
    /// data length does not match its shape and type.
    /// </exception>
    public static void Write(string path, IReadOnlyList<StateTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] header = BuildHeader(tensors, metadata);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (StateTensor t in tensors)
                {
                    stream.Write(t.Data);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            // Never leave a partial temporary file behind; the original exception is the one to report.
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw;
        }
    }

    /// <summary>Reads every tensor of the file at <paramref name="path"/>, in header order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UserInputException">
    /// The file is not a valid safetensors file of F32/I64 tensors; the message starts with the path and says what
    /// was expected and what was found.
    /// </exception>
    public static IReadOnlyList<StateTensor> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        SafeTensorsHeader.Parsed header = SafeTensorsHeader.Read(stream, path);
        long dataStart = 8 + header.Length;
        var tensors = new List<StateTensor>(header.Entries.Count);
        foreach (SafeTensorsHeader.Entry e in header.Entries)
        {
            var data = new byte[e.End - e.Begin];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(data);
            tensors.Add(new StateTensor(e.Name, e.DType, e.Shape, data));
        }

        return tensors;
    }

    /// <summary>Reads only the <see cref="MetadataKey"/> map of the file (empty when it has none), validating the whole header.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UserInputException">The header is not valid; the message starts with the path.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return SafeTensorsHeader.Read(stream, path).Metadata;
    }

    /// <summary>The element size in bytes and the safetensors name of <paramref name="dtype"/>.</summary>
    internal static (int Bytes, string Name) Describe(StateDType dtype) => dtype switch
    {
        StateDType.Float32 => (4, "F32"),
        StateDType.Int64 => (8, "I64"),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"Unknown element type; {Supported}."),
    };

    private static byte[] BuildHeader(IReadOnlyList<StateTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps names and metadata readable in the header (it is never embedded in HTML).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            long offset = 0;
            foreach (StateTensor t in tensors)
            {
                ArgumentNullException.ThrowIfNull(t, nameof(tensors));
                if (string.IsNullOrEmpty(t.Name) || t.Name == MetadataKey || !names.Add(t.Name))
                {
                    throw new ArgumentException(
                        $"Tensor name '{t.Name}' is empty, reserved or repeated; names must be unique and not '{MetadataKey}'.", nameof(tensors));
                }

                (int size, string dtype) = Describe(t.DType);
                long expected = SafeTensorsHeader.ByteCount(t.Shape, size)
                    ?? throw new ArgumentException($"Tensor '{t.Name}' has an invalid shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
                if (t.Data.LongLength != expected)
                {
                    throw new ArgumentException(
                        $"Tensor '{t.Name}' ({dtype} [{string.Join(", ", t.Shape)}]) needs {expected} bytes of data, it has {t.Data.LongLength}.",
                        nameof(tensors));
                }

                json.WriteStartObject(t.Name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + expected);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += expected;
            }

            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Pad with spaces (valid JSON whitespace) so that the data buffer starts 8-byte aligned.
        int padding = (int)((8 - (buffer.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }
}
