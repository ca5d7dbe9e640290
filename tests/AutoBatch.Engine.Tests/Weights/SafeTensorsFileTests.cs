using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AutoBatch.Engine.Tests.Data;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Weights;

[TestFixture]
public sealed class SafeTensorsFileTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static StateTensor[] Sample() =>
    [
        new("fc1.weight", StateDType.Float32, [2, 3], SafeTensorsBytes.Floats(1, -2, 3.5f, float.Epsilon, -0f, 1e30f)),
        new("bn1.num_batches_tracked", StateDType.Int64, [], SafeTensorsBytes.Longs(long.MinValue)),
        new("empty", StateDType.Float32, [0, 4], []),
        new("fc1.bias", StateDType.Float32, [1, 1, 1], SafeTensorsBytes.Floats(float.NaN)),
    ];

    [Test]
    public void Write_ThenRead_ReturnsTheSameTensorsAndMetadata()
    {
        string path = Path.Combine(_dir.Path, "sample.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ü → ✓" };

        SafeTensorsFile.Write(path, Sample(), metadata);
        IReadOnlyList<StateTensor> read = SafeTensorsFile.Read(path);

        Assert.That(read.Select(t => t.Name), Is.EqualTo(Sample().Select(t => t.Name)));
        for (int i = 0; i < read.Count; i++)
        {
            Assert.That(read[i].DType, Is.EqualTo(Sample()[i].DType), read[i].Name);
            Assert.That(read[i].Shape, Is.EqualTo(Sample()[i].Shape), read[i].Name);
            Assert.That(read[i].Data, Is.EqualTo(Sample()[i].Data), read[i].Name);
        }

        Assert.That(SafeTensorsFile.ReadMetadata(path), Is.EquivalentTo(metadata));
    }

    [Test]
    public void Write_LaysOutAPaddedHeaderAndContiguousData()
    {
        string path = Path.Combine(_dir.Path, "layout.safetensors");

        SafeTensorsFile.Write(path, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        byte[] file = File.ReadAllBytes(path);

        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.That(headerLength % 8, Is.Zero);
        string header = Encoding.UTF8.GetString(file, 8, (int)headerLength);
        Assert.That(header.TrimEnd(' '), Does.EndWith("}"));
        using var json = JsonDocument.Parse(header);
        long expectedBegin = 0;
        int offset = 8 + (int)headerLength;
        foreach (StateTensor t in Sample())
        {
            JsonElement entry = json.RootElement.GetProperty(t.Name);
            long[] offsets = [.. entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64())];
            Assert.That(offsets, Is.EqualTo(new[] { expectedBegin, expectedBegin + t.Data.Length }), t.Name);
            Assert.That(entry.GetProperty("dtype").GetString(), Is.EqualTo(t.DType == StateDType.Float32 ? "F32" : "I64"));
            Assert.That(entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(t.Shape));
            Assert.That(file.AsSpan(offset + (int)expectedBegin, t.Data.Length).ToArray(), Is.EqualTo(t.Data), t.Name);
            expectedBegin += t.Data.Length;
        }

        Assert.That(file, Has.Length.EqualTo(offset + expectedBegin));
        Assert.That(json.RootElement.GetProperty(SafeTensorsFile.MetadataKey).GetProperty("k").GetString(), Is.EqualTo("v"));
    }

    [Test]
    public void Read_FileFromAnIndependentWriter_InAnotherOrderWithMetadataFirst()
    {
        // Tensors listed in the header in the opposite order from their data, with metadata first and free whitespace.
        string header = """
            { "__metadata__" : { "format": "pt" },
              "layer1.0.bn1.num_batches_tracked": {"data_offsets": [16, 24], "dtype": "I64", "shape": []},
              "fc.weight": {"shape": [2, 2], "dtype": "F32", "data_offsets": [0, 16]} }
            """;
        byte[] data = [.. SafeTensorsBytes.Floats(0.5f, -1.25f, 3, 4), .. SafeTensorsBytes.Longs(42)];
        string path = _dir.Write("independent.safetensors", SafeTensorsBytes.Build(header, data));

        IReadOnlyList<StateTensor> read = SafeTensorsFile.Read(path);

        Assert.That(read.Select(t => t.Name), Is.EqualTo(new[] { "layer1.0.bn1.num_batches_tracked", "fc.weight" }));
        Assert.That(read[0].DType, Is.EqualTo(StateDType.Int64));
        Assert.That(read[0].Shape, Is.Empty);
        Assert.That(BinaryPrimitives.ReadInt64LittleEndian(read[0].Data), Is.EqualTo(42));
        Assert.That(read[1].Shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(read[1].Data, Is.EqualTo(SafeTensorsBytes.Floats(0.5f, -1.25f, 3, 4)));
        Assert.That(SafeTensorsFile.ReadMetadata(path), Is.EquivalentTo(new Dictionary<string, string> { ["format"] = "pt" }));
    }

    [Test]
    public void Read_FileWithoutTensorsOrMetadata_IsEmpty()
    {
        string path = _dir.Write("empty.safetensors", SafeTensorsBytes.Build("{}      ", []));

        Assert.That(SafeTensorsFile.Read(path), Is.Empty);
        Assert.That(SafeTensorsFile.ReadMetadata(path), Is.Empty);
    }

    [Test]
    public void Write_OverExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        string path = _dir.Write("w.safetensors", [1, 2, 3]);

        SafeTensorsFile.Write(path, Sample());

        Assert.That(SafeTensorsFile.Read(path), Has.Count.EqualTo(Sample().Length));
        Assert.That(Directory.GetFiles(_dir.Path), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Write_IntoAMissingFolder_ThrowsDirectoryNotFound()
    {
        string path = Path.Combine(_dir.Path, "missing", "w.safetensors");

        Assert.That(() => SafeTensorsFile.Write(path, Sample()), Throws.InstanceOf<DirectoryNotFoundException>());
        Assert.That(Directory.GetFileSystemEntries(_dir.Path), Is.Empty);
    }

    private static IEnumerable<TestCaseData> InvalidTensorLists()
    {
        yield return new TestCaseData(
            (object)new StateTensor[] { new("a", StateDType.Float32, [3], new byte[8]) }, "needs 12 bytes").SetName("DataShorterThanShape");
        yield return new TestCaseData(
            (object)new StateTensor[] { new("a", StateDType.Float32, [1], new byte[4]), new("a", StateDType.Float32, [1], new byte[4]) }, "repeated")
            .SetName("RepeatedName");
        yield return new TestCaseData(
            (object)new StateTensor[] { new(SafeTensorsFile.MetadataKey, StateDType.Float32, [1], new byte[4]) }, "reserved").SetName("ReservedName");
        yield return new TestCaseData(
            (object)new StateTensor[] { new("a", StateDType.Int64, [-1], []) }, "invalid shape").SetName("NegativeDimension");
    }

    [TestCaseSource(nameof(InvalidTensorLists))]
    public void Write_InvalidTensors_ThrowsAndWritesNothing(StateTensor[] tensors, string expected)
    {
        string path = Path.Combine(_dir.Path, "bad.safetensors");

        var ex = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, tensors));

        Assert.That(ex.Message, Does.Contain(expected));
        Assert.That(Directory.GetFiles(_dir.Path), Is.Empty);
    }

    private static IEnumerable<TestCaseData> CorruptFiles()
    {
        static TestCaseData Case(string name, byte[] file, string expected) => new TestCaseData(name, file, expected).SetName(name);
        static byte[] Valid(string header, int dataBytes) => SafeTensorsBytes.Build(header, new byte[dataBytes]);

        yield return Case("Empty", [], "expected at least 8 bytes");
        yield return Case("ShorterThanTheLengthPrefix", [8, 0, 0, 0, 0], "the file has 5");
        yield return Case("HeaderLengthBeyondTheFile", SafeTensorsBytes.Build(1000, "{}"u8.ToArray(), new byte[8]), "header length is 1000 bytes, but only 10 bytes follow");
        yield return Case("HeaderLengthHuge", SafeTensorsBytes.Build(ulong.MaxValue, "{}"u8.ToArray(), []), "header length is 18446744073709551615");
        yield return Case("HeaderNotUtf8", SafeTensorsBytes.Build([(byte)'{', 0xC3, 0x28, (byte)'}'], []), "not valid UTF-8");
        yield return Case("HeaderNotJson", Valid("{\"a\": {\"dtype\": ", 0), "not valid JSON");
        yield return Case("EmptyHeader", Valid("", 0), "not valid JSON");
        yield return Case("HeaderNotAnObject", Valid("[1, 2]", 0), "expected the header to be a JSON object");
        yield return Case("TensorNotAnObject", Valid("{\"a\": 3}", 0), "expected tensor 'a' to be an object");
        yield return Case("UnknownDType", Valid("{\"a\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4), "dtype 'F16'; only F32 (float32) and I64 (int64) are supported");
        yield return Case("DTypeNotAString", Valid("{\"a\": {\"dtype\": 7, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "expected a string");
        yield return Case("MissingOffsets", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "lacks data_offsets");
        yield return Case("UnexpectedField", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"x\": 1}}", 4), "unexpected or repeated field 'x'");
        yield return Case("NegativeDimension", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4), "shape [-1]; expected an array of non-negative integers");
        yield return Case("FractionalOffset", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4.5]}}", 4), "expected an array of non-negative integers");
        yield return Case("ThreeOffsets", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8), "expected two numbers [begin, end]");
        yield return Case("BeginAfterEnd", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 8), "begin <= end");
        yield return Case("ShapeOffsetMismatch", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "shape [3] needs 12 bytes, but its data_offsets [0, 8] span 8 bytes");
        yield return Case("I64SizeMismatch", Valid("{\"a\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "needs 8 bytes");
        yield return Case("ShapeOverflows", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 4]}}", 4), "more elements than a file can hold");
        yield return Case("OffsetsBeyondData", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4), "beyond the 4-byte data buffer");
        yield return Case("Overlapping", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "tensor 'b' [4, 12) overlaps tensor 'a' [0, 8)");
        yield return Case("Gap", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", 12), "bytes [4, 8) of the data buffer belong to no tensor");
        yield return Case("TrailingBytes", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 9), "5 trailing bytes belong to no tensor");
        yield return Case("RepeatedTensor", Valid("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "tensor 'a' appears twice");
        yield return Case("EmptyTensorName", Valid("{\"\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "empty name");
        yield return Case("MetadataNotAnObject", Valid("{\"__metadata__\": [\"pt\"]}", 0), "expected '__metadata__' to be an object of strings");
        yield return Case("MetadataValueNotAString", Valid("{\"__metadata__\": {\"epoch\": 3}}", 0), "expected metadata value 'epoch' to be a string");
    }

    [TestCaseSource(nameof(CorruptFiles))]
    public void Read_CorruptFile_ThrowsInvalidDataNamingTheFileAndTheProblem(string name, byte[] file, string expected)
    {
        string path = _dir.Write(name + ".safetensors", file);

        var ex = Assert.Throws<UserInputException>(() => SafeTensorsFile.Read(path));

        Assert.That(ex.Message, Does.StartWith(path + ": not a valid safetensors file: ").And.Contain(expected));
        Assert.That(() => SafeTensorsFile.ReadMetadata(path), Throws.InstanceOf<UserInputException>().With.Message.Contain(path));
    }

    [Test]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        string path = Path.Combine(_dir.Path, "absent.safetensors");

        Assert.That(() => SafeTensorsFile.Read(path), Throws.InstanceOf<FileNotFoundException>().With.Message.Contain(path));
    }

    [Test]
    public void Read_TruncatedWrittenFile_Throws([Values(1, 4, 100)] int cut)
    {
        string path = Path.Combine(_dir.Path, "truncated.safetensors");
        SafeTensorsFile.Write(path, Sample());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^cut]);

        Assert.That(() => SafeTensorsFile.Read(path), Throws.InstanceOf<UserInputException>().With.Message.Contain(path));
    }
}
