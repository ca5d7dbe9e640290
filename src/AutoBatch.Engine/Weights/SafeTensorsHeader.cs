using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Weights;

/// <summary>
/// The reading half of <see cref="SafeTensorsFile"/>: parses and checks a safetensors header (the tensors' types,
/// shapes and offsets, the metadata, and that the tensors cover the data buffer exactly once). Every refusal is a
/// <see cref="UserInputException"/> that names the file and says what was expected.
/// </summary>
internal static class SafeTensorsHeader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and checks the header of <paramref name="stream"/>, positioned anywhere; refusals name <paramref name="path"/>.</summary>
    public static Parsed Read(FileStream stream, string path)
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

        if (length > SafeTensorsFile.MaxHeaderBytes)
        {
            throw Invalid(path, $"the header length is {length} bytes; at most {SafeTensorsFile.MaxHeaderBytes} are accepted.");
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

    private static Parsed ParseHeader(JsonElement root, string path, long headerLength, long dataLength)
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
            if (property.Name == SafeTensorsFile.MetadataKey)
            {
                if (seenMetadata)
                {
                    throw Invalid(path, $"'{SafeTensorsFile.MetadataKey}' appears twice in the header.");
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
        return new Parsed(headerLength, entries, metadata);
    }

    private static void ParseMetadata(JsonElement value, string path, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected '{SafeTensorsFile.MetadataKey}' to be an object of strings, found a JSON {value.ValueKind}.");
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
            _ => throw Invalid(path, $"tensor '{name}' has dtype '{dtypeName}'; {SafeTensorsFile.Supported}."),
        };

        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw Invalid(path, $"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]; expected two numbers [begin, end] with begin <= end.");
        }

        (int size, _) = SafeTensorsFile.Describe(dtype);
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
    internal static long? ByteCount(IReadOnlyList<long> shape, int elementSize)
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

    /// <summary>One tensor of the header: its bytes are [Begin, End) of the data buffer.</summary>
    internal sealed record Entry(string Name, StateDType DType, long[] Shape, long Begin, long End);

    /// <summary>A checked header: its length in bytes, its tensors and its metadata.</summary>
    internal sealed record Parsed(long Length, List<Entry> Entries, Dictionary<string, string> Metadata);
}
