using System.Buffers.Binary;
using System.Globalization;
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

    private const string Supported = "only F32 (float32) and I64 (int64) are supported";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
        Header header = ReadHeader(stream, path);
        long dataStart = 8 + header.Length;
        var tensors = new List<StateTensor>(header.Entries.Count);
        foreach (Entry e in header.Entries)
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
        return ReadHeader(stream, path).Metadata;
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
                long expected = ByteCount(t.Shape, size)
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

    private static Header ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw Invalid(path, $"expected at least 8 bytes (the little-endian u64 header length), the file has {fileLength}.");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > (ulong)(fileLength - 8))
        {
            throw Invalid(path, $"the header length is {length} bytes, but only {fileLength - 8} bytes follow the 8-byte length prefix.");
        }

        if (length > MaxHeaderBytes)
        {
            throw Invalid(path, $"the header length is {length} bytes; at most {MaxHeaderBytes} are accepted.");
        }

        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Invalid(path, $"the {length}-byte header is not valid UTF-8 (byte {e.Index} of the header).", e);
        }

        long dataLength = fileLength - 8 - (long)length;
        try
        {
            using var document = JsonDocument.Parse(text);
            return ParseHeader(document.RootElement, path, (long)length, dataLength);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON: {e.Message}", e);
        }
    }

    private static Header ParseHeader(JsonElement root, string path, long headerLength, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected the header to be a JSON object of tensors, found a JSON {root.ValueKind}.");
        }

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool seenMetadata = false;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (seenMetadata)
                {
                    throw Invalid(path, $"'{MetadataKey}' appears twice in the header.");
                }

                seenMetadata = true;
                ParseMetadata(property.Value, path, metadata);
                continue;
            }

            if (property.Name.Length == 0 || !names.Add(property.Name))
            {
                throw Invalid(path, property.Name.Length == 0 ? "a tensor has an empty name." : $"tensor '{property.Name}' appears twice in the header.");
            }

            entries.Add(ParseEntry(property.Name, property.Value, path));
        }

        CheckLayout(entries, path, dataLength);
        return new Header(headerLength, entries, metadata);
    }

    private static void ParseMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected '{MetadataKey}' to be an object of strings, found a JSON {value.ValueKind}.");
        }

        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, $"expected metadata value '{item.Name}' to be a string, found a JSON {item.Value.ValueKind}.");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Invalid(path, $"metadata key '{item.Name}' appears twice.");
            }
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected tensor '{name}' to be an object with dtype, shape and data_offsets, found a JSON {value.ValueKind}.");
        }

        string? dtypeName = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeName is null:
                    dtypeName = field.Value.ValueKind == JsonValueKind.String
                        ? field.Value.GetString()!
                        : throw Invalid(path, $"tensor '{name}' has dtype {field.Value.GetRawText()}; expected a string such as \"F32\".");
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(field.Value, name, "shape", path);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(field.Value, name, "data_offsets", path);
                    break;
                default:
                    throw Invalid(path, $"tensor '{name}' has an unexpected or repeated field '{field.Name}'; expected exactly dtype, shape and data_offsets.");
            }
        }

        if (dtypeName is null || shape is null || offsets is null)
        {
            throw Invalid(path, $"tensor '{name}' lacks {(dtypeName is null ? "dtype" : shape is null ? "shape" : "data_offsets")}; expected dtype, shape and data_offsets.");
        }

        StateDType dtype = dtypeName switch
        {
            "F32" => StateDType.Float32,
            "I64" => StateDType.Int64,
            _ => throw Invalid(path, $"tensor '{name}' has dtype '{dtypeName}'; {Supported}."),
        };

        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw Invalid(path, $"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]; expected two numbers [begin, end] with begin <= end.");
        }

        (int size, _) = Describe(dtype);
        long span = offsets[1] - offsets[0];
        long? expected = ByteCount(shape, size);
        if (expected != span)
        {
            string needs = expected is { } n ? $"needs {n} bytes" : "has more elements than a file can hold";
            throw Invalid(
                path,
                $"tensor '{name}' of dtype {dtypeName} and shape [{string.Join(", ", shape)}] {needs}, but its data_offsets [{offsets[0]}, {offsets[1]}] span {span} bytes.");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement value, string name, string field, string path)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            var result = new long[value.GetArrayLength()];
            int i = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                {
                    break;
                }

                result[i++] = v;
            }

            if (i == result.Length)
            {
                return result;
            }
        }

        throw Invalid(path, $"tensor '{name}' has {field} {value.GetRawText()}; expected an array of non-negative integers.");
    }

    /// <summary>Every byte of the data buffer must belong to exactly one tensor (no overlaps, gaps or trailing bytes).</summary>
    private static void CheckLayout(List<Entry> entries, string path, long dataLength)
    {
        foreach (Entry e in entries)
        {
            if (e.End > dataLength)
            {
                throw Invalid(path, $"tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}], beyond the {dataLength}-byte data buffer.");
            }
        }

        Entry[] sorted = [.. entries.OrderBy(e => e.Begin).ThenBy(e => e.End)];
        long covered = 0;
        Entry? previous = null;
        foreach (Entry e in sorted)
        {
            if (e.Begin < covered)
            {
                throw Invalid(
                    path,
                    $"tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps tensor '{previous!.Name}' [{previous.Begin}, {previous.End}) in the data buffer.");
            }

            if (e.Begin > covered)
            {
                throw Invalid(path, $"bytes [{covered}, {e.Begin}) of the data buffer belong to no tensor; expected the tensors to cover the buffer without gaps.");
            }

            covered = e.End;
            previous = e;
        }

        if (covered != dataLength)
        {
            throw Invalid(
                path,
                $"the data buffer has {dataLength} bytes but the tensors cover only the first {covered}; {dataLength - covered} trailing bytes belong to no tensor.");
        }
    }

    /// <summary>numel · element size, or null when a dimension is negative or the product overflows.</summary>
    private static long? ByteCount(IReadOnlyList<long> shape, int elementSize)
    {
        try
        {
            long bytes = elementSize;
            foreach (long d in shape)
            {
                if (d < 0)
                {
                    return null;
                }

                bytes = checked(bytes * d);
            }

            return bytes;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static UserInputException Invalid(string path, string problem, Exception? inner = null) =>
        new(path, "not a valid safetensors file: " + problem, inner);

    private sealed record Entry(string Name, StateDType DType, long[] Shape, long Begin, long End);

    private sealed record Header(long Length, List<Entry> Entries, Dictionary<string, string> Metadata);
}
