using System.Buffers.Binary;
using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class SvhnReaderTests
{
    private const int Count = 3;

    private TempDirectory _dir = null!;
    private byte[] _chw = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _chw = TestFiles.RandomBytes(Count * 3072, 21);
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Read_RoundTripsImagesToChwAndMapsLabelTenToZero([Values] bool compress)
    {
        var mat = new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [10, 1, 9]);
        string path = _dir.Write("train_32x32.mat", mat.ToArray(compress));

        ImageDataSet data = SvhnReader.Read(path);

        Assert.Multiple(() =>
        {
            Assert.That((data.Count, data.Channels, data.Height, data.Width, data.Classes), Is.EqualTo((Count, 3, 32, 32, 10)));
            Assert.That(data.Pixels, Is.EqualTo(_chw));
            Assert.That(data.Labels, Is.EqualTo(new byte[] { 0, 1, 9 }));
            Assert.That(data.Source, Is.EqualTo(path));
        });
    }

    [Test]
    public void Read_RowIndexIsTheFirstMatlabDimension()
    {
        // X(row 1, col 2, ch 0, n 0) = 77 in MATLAB's column-major order lands at CHW (0, 1, 2).
        byte[] columnMajor = new byte[3072];
        columnMajor[1 + (32 * 2)] = 77;
        var mat = new MatFileWriter()
            .Add("X", MatFileWriter.ClassUInt8, [32, 32, 3, 1], MatFileWriter.TypeUInt8, columnMajor)
            .AddDoubles("y", [4]);
        string path = _dir.Write("one.mat", mat.ToArray(compress: false));

        ImageDataSet data = SvhnReader.Read(path);

        Assert.That(data.Image(0)[(1 * 32) + 2], Is.EqualTo(77));
        Assert.That(data.Image(0)[(2 * 32) + 1], Is.Zero);
    }

    [TestCase(MatFileWriter.ClassDouble, MatFileWriter.TypeUInt8, TestName = "Read_LabelsDoubleStoredAsUInt8")]
    [TestCase(MatFileWriter.ClassUInt8, MatFileWriter.TypeUInt8, TestName = "Read_LabelsUInt8")]
    public void Read_AcceptsLabelsStoredCompactly(int arrayClass, int dataType)
    {
        // MATLAB stores a double array whose values fit in uint8 as miUINT8; one label fits a packed element.
        var mat = new MatFileWriter()
            .Add("y", arrayClass, [Count, 1], dataType, [3, 10, 2])
            .AddSvhnImages(_chw, Count);
        string path = _dir.Write("test_32x32.mat", mat.ToArray(compress: true));

        ImageDataSet data = SvhnReader.Read(path);

        Assert.That(data.Labels, Is.EqualTo(new byte[] { 3, 0, 2 }));
        Assert.That(data.Pixels, Is.EqualTo(_chw));
    }

    [Test]
    public void Read_SkipsOtherVariablesIncludingNonNumericOnes([Values] bool compress)
    {
        byte[] text = [(byte)'h', 0, (byte)'i', 0, (byte)'!', 0];
        var mat = new MatFileWriter()
            .Add("note", MatFileWriter.ClassChar, [1, 3], MatFileWriter.TypeUInt16, text)
            .AddDoubles("extra", [1, 2, 3, 4, 5])
            .AddDoubles("y", [5, 6, 7])
            .AddSvhnImages(_chw, Count);
        string path = _dir.Write("x.mat", mat.ToArray(compress));

        ImageDataSet data = SvhnReader.Read(path);

        Assert.That(data.Labels, Is.EqualTo(new byte[] { 5, 6, 7 }));
        Assert.That(data.Pixels, Is.EqualTo(_chw));
    }

    [Test]
    public void Read_MissingX_ListsVariablesFound()
    {
        string path = _dir.Write("no-x.mat", new MatFileWriter().AddDoubles("y", [1, 2, 3]).AddDoubles("Z", [1]).ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("'X'").And.Contain("y, Z"));
    }

    [Test]
    public void Read_MissingY_NamesFile()
    {
        string path = _dir.Write("no-y.mat", new MatFileWriter().AddSvhnImages(_chw, Count).ToArray(compress: true));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("'y'"));
    }

    [TestCase(new[] { 32, 32, 1, 9 })]
    [TestCase(new[] { 32, 32, 9 })]
    [TestCase(new[] { 3, 32, 32, 3 })]
    [TestCase(new[] { 32, 32, 3, 3, 1 })]
    public void Read_XWithWrongDims_ReportsShape(int[] dims)
    {
        byte[] data = new byte[dims.Aggregate(1, (a, b) => a * b)];
        var mat = new MatFileWriter().Add("X", MatFileWriter.ClassUInt8, dims, MatFileWriter.TypeUInt8, data).AddDoubles("y", [1]);
        string path = _dir.Write("dims.mat", mat.ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("32x32x3xN").And.Contain(string.Join('x', dims)));
    }

    [Test]
    public void Read_XOfClassDouble_IsRejected()
    {
        var mat = new MatFileWriter().Add("X", MatFileWriter.ClassDouble, [32, 32, 3, 1], MatFileWriter.TypeDouble, new byte[8 * 3072]).AddDoubles("y", [1]);
        string path = _dir.Write("double.mat", mat.ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("uint8").And.Contain("double"));
    }

    [Test]
    public void Read_XDataShorterThanDims_IsRejected()
    {
        var mat = new MatFileWriter().Add("X", MatFileWriter.ClassUInt8, [32, 32, 3, 2], MatFileWriter.TypeUInt8, new byte[3072]).AddDoubles("y", [1, 2]);
        string path = _dir.Write("short-x.mat", mat.ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("6144").And.Contain("found 3072"));
    }

    [Test]
    public void Read_LabelCountMismatch_NamesFile()
    {
        string path = _dir.Write("count.mat", new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [1, 2]).ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("expected 3 labels"));
    }

    [TestCase(0.0)]
    [TestCase(11.0)]
    [TestCase(2.5)]
    [TestCase(double.NaN)]
    public void Read_LabelOutOfRange_NamesFileAndValue(double bad)
    {
        string path = _dir.Write("labels.mat", new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [1, bad, 3]).ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("1..10").And.Contain("index 1"));
    }

    [Test]
    public void Read_LabelsNotAVector_AreRejected()
    {
        string path = _dir.Write("matrix.mat", new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [1, 2, 3, 4, 5, 6], [3, 2]).ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("Nx1").And.Contain("3x2"));
    }

    [Test]
    public void Read_DuplicateX_IsRejected()
    {
        var mat = new MatFileWriter().AddSvhnImages(_chw, Count).AddSvhnImages(_chw, Count).AddDoubles("y", [1, 2, 3]);
        string path = _dir.Write("twice.mat", mat.ToArray(compress: false));

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("twice"));
    }

    [Test]
    public void Read_TruncatedFile_NamesFile([Values] bool compress, [Values(1, 100, 5000)] int cut)
    {
        byte[] file = new MatFileWriter().AddDoubles("y", [1, 2, 3]).AddSvhnImages(_chw, Count).ToArray(compress);
        string path = _dir.Write("cut.mat", file[..^cut]);

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("truncated"));
    }

    [TestCase(0)]
    [TestCase(127)]
    public void Read_EmptyOrHeaderOnly_NamesFile(int length)
    {
        string path = _dir.Write("empty.mat", new byte[length]);

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("128-byte"));
    }

    [Test]
    public void Read_HeaderWithoutVariables_ReportsMissingX()
    {
        string path = _dir.Write("header.mat", MatFileWriter.Header());

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("no variables"));
    }

    [TestCase((ushort)0x0100, "MI", "big-endian")]
    [TestCase((ushort)0x0200, "IM", "v7.3")]
    [TestCase((ushort)0x0100, "XX", "'IM'")]
    [TestCase((ushort)0x0300, "IM", "0x0300")]
    public void Read_UnsupportedHeader_SaysWhy(ushort version, string endian, string reason)
    {
        byte[] body = new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [1, 2, 3]).ToArray(compress: false)[128..];
        string path = _dir.Write("header.mat", [.. MatFileWriter.Header(version, endian), .. body]);

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain(reason));
    }

    [Test]
    public void Read_CorruptCompressedElement_NamesFile()
    {
        byte[] file = new MatFileWriter().AddSvhnImages(_chw, Count).AddDoubles("y", [1, 2, 3]).ToArray(compress: true);
        int zlibStart = 128 + 8;
        for (int i = zlibStart + 10; i < zlibStart + 200; i++)
        {
            file[i] ^= 0xA5;
        }

        string path = _dir.Write("corrupt.mat", file);

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path));
    }

    [Test]
    public void Read_CompressedElementClaimingHugeSize_FailsWithoutAllocating()
    {
        byte[] inner = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(inner, MatFileWriter.TypeMatrix);
        BinaryPrimitives.WriteUInt32LittleEndian(inner.AsSpan(4), uint.MaxValue);
        byte[] z = TestFiles.Zlib(inner);
        byte[] tag = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, MatFileWriter.TypeCompressed);
        BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), z.Length);
        string path = _dir.Write("bomb.mat", [.. MatFileWriter.Header(), .. tag, .. z]);

        var ex = Assert.Throws<DataFormatException>(() => SvhnReader.Read(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain($"{uint.MaxValue}"));
    }
}
