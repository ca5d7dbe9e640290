using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class IdxReaderTests
{
    private const int Count = 7;
    private const int Rows = 5;
    private const int Cols = 3;

    private TempDirectory _dir = null!;
    private byte[] _pixels = null!;
    private byte[] _labels = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _pixels = TestFiles.RandomBytes(Count * Rows * Cols, 1);
        _labels = TestFiles.RandomLabels(Count, 10, 2);
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Read_RoundTripsPixelsAndLabels([Values] bool gzip)
    {
        string images = Write("images", TestFiles.IdxImages(Count, Rows, Cols, _pixels), gzip);
        string labels = Write("labels", TestFiles.IdxLabels(_labels), gzip);

        ImageDataSet data = IdxReader.Read(images, labels);

        Assert.Multiple(() =>
        {
            Assert.That(data.Count, Is.EqualTo(Count));
            Assert.That(data.Channels, Is.EqualTo(1));
            Assert.That(data.Height, Is.EqualTo(Rows));
            Assert.That(data.Width, Is.EqualTo(Cols));
            Assert.That(data.Classes, Is.EqualTo(10));
            Assert.That(data.Pixels, Is.EqualTo(_pixels));
            Assert.That(data.Labels, Is.EqualTo(_labels));
            Assert.That(data.Source, Does.Contain(images).And.Contain(labels));
        });
    }

    [Test]
    public void Read_DetectsGzipByMagicNotByExtension()
    {
        string compressedWithoutSuffix = _dir.Write("images-idx3-ubyte", TestFiles.Gzip(TestFiles.IdxImages(Count, Rows, Cols, _pixels)));
        string rawWithSuffix = _dir.Write("labels-idx1-ubyte.gz", TestFiles.IdxLabels(_labels));

        ImageDataSet data = IdxReader.Read(compressedWithoutSuffix, rawWithSuffix);

        Assert.That(data.Pixels, Is.EqualTo(_pixels));
        Assert.That(data.Labels, Is.EqualTo(_labels));
    }

    [Test]
    public void ReadImages_TruncatedPayload_NamesFileAndCounts([Values] bool gzip)
    {
        byte[] file = TestFiles.IdxImages(Count, Rows, Cols, _pixels);
        string path = Write("short-images", file[..^4], gzip);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("truncated").And.Contain($"{Count} images of {Rows}x{Cols}"));
        Assert.That(ex.FilePath, Is.EqualTo(path));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(15)]
    public void ReadImages_TruncatedOrEmptyHeader_NamesFile(int length)
    {
        string path = _dir.Write("tiny", TestFiles.IdxImages(Count, Rows, Cols, _pixels)[..length]);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("truncated").And.Contain("IDX"));
    }

    [Test]
    public void ReadImages_LabelsFile_ReportsExpectedAndFoundMagic()
    {
        string path = _dir.Write("train-images-idx3-ubyte", TestFiles.IdxLabels(_labels));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0x00000803").And.Contain("found 0x00000801"));
    }

    [Test]
    public void ReadLabels_WrongMagic_ReportsExpectedAndFoundMagic()
    {
        string path = _dir.Write("labels", TestFiles.Idx(0x00000C01, [Count], _labels));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0x00000801").And.Contain("0x00000C01"));
    }

    [Test]
    public void ReadImages_TrailingData_IsAnError([Values] bool gzip)
    {
        byte[] file = [.. TestFiles.IdxImages(Count, Rows, Cols, _pixels), 0, 0, 0];
        string path = Write("long-images", file, gzip);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("trailing"));
    }

    [Test]
    public void ReadLabels_TrailingData_IsAnError()
    {
        string path = _dir.Write("long-labels", [.. TestFiles.IdxLabels(_labels), 1]);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("trailing"));
    }

    [Test]
    public void ReadImages_ZeroSize_IsAnError([Values(0, 1, 2)] int zeroDimension)
    {
        int[] dims = [Count, Rows, Cols];
        dims[zeroDimension] = 0;
        string path = _dir.Write("zero", TestFiles.Idx(0x00000803, dims, []));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("found 0"));
    }

    [Test]
    public void ReadImages_HugeHeaderCountInSmallFile_FailsWithoutAllocating([Values] bool gzip)
    {
        string path = Write("huge", TestFiles.Idx(0x00000803, [int.MaxValue, 28, 28], _pixels), gzip);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain($"{int.MaxValue}"));
    }

    [Test]
    public void ReadImages_SizesWhoseProductOverflowsALong_AreAFormatError()
    {
        // Found by FormatFuzzTests: 3 x (2^31 - 1) wrapped to a negative length and escaped as OverflowException.
        string path = _dir.Write("overflow", TestFiles.Idx(0x00000803, [int.MaxValue, int.MaxValue, int.MaxValue], _pixels));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("at most"));
    }

    [Test]
    public void ReadLabels_OutOfRange_ReportsValueAndIndex()
    {
        byte[] labels = [.. _labels];
        labels[4] = 10;
        string path = _dir.Write("labels", TestFiles.IdxLabels(labels));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0..9").And.Contain("found 10 at index 4"));
    }

    [Test]
    public void Read_CountMismatch_NamesBothFiles()
    {
        string images = _dir.Write("images", TestFiles.IdxImages(Count, Rows, Cols, _pixels));
        string labels = _dir.Write("labels", TestFiles.IdxLabels(_labels[..^1]));

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.Read(images, labels));

        Assert.That(ex.Message, Does.Contain(labels).And.Contain(images).And.Contain($"expected {Count} labels"));
    }

    [Test]
    public void ReadImages_CorruptGzip_IsADataFormatErrorNamingTheFile()
    {
        byte[] gz = TestFiles.Gzip(TestFiles.IdxImages(Count, Rows, Cols, _pixels));
        for (int i = 12; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5A;
        }

        string path = _dir.Write("corrupt.gz", gz);

        var ex = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.That(ex.Message, Does.Contain(path));
    }

    [Test]
    public void ReadImages_MissingFile_Throws()
    {
        string path = Path.Combine(_dir.Path, "absent");

        Assert.That(() => IdxReader.ReadImages(path), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(path));
    }

    private string Write(string name, byte[] bytes, bool gzip) =>
        gzip ? _dir.Write(name + ".gz", TestFiles.Gzip(bytes)) : _dir.Write(name, bytes);
}
