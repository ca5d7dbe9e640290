using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class CifarReaderTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void ReadCifar10_ConcatenatesFilesInOrder()
    {
        byte[] pixels1 = TestFiles.RandomBytes(3 * 3072, 11);
        byte[] labels1 = [9, 0, 4];
        byte[] pixels2 = TestFiles.RandomBytes(2 * 3072, 12);
        byte[] labels2 = [1, 7];
        string first = _dir.Write("data_batch_1.bin", TestFiles.CifarRecords(labels1, null, pixels1));
        string second = _dir.Write("data_batch_2.bin", TestFiles.CifarRecords(labels2, null, pixels2));

        ImageDataSet data = CifarReader.ReadCifar10([first, second]);

        Assert.Multiple(() =>
        {
            Assert.That(data.Count, Is.EqualTo(5));
            Assert.That((data.Channels, data.Height, data.Width, data.Classes), Is.EqualTo((3, 32, 32, 10)));
            Assert.That(data.Labels, Is.EqualTo(labels1.Concat(labels2)));
            Assert.That(data.Pixels, Is.EqualTo(pixels1.Concat(pixels2)));
            Assert.That(data.Source, Does.Contain(first).And.Contain(second));
        });
    }

    [Test]
    public void ReadCifar10_PixelPlanesAreRedGreenBlueRowMajor()
    {
        // Record layout: 1024 red bytes, then green, then blue, each row-major, i.e. already CHW.
        byte[] pixels = new byte[3072];
        pixels[(1 * 1024) + (2 * 32) + 5] = 200;
        string path = _dir.Write("one.bin", TestFiles.CifarRecords([3], null, pixels));

        ImageDataSet data = CifarReader.ReadCifar10([path]);

        Assert.That(data.Image(0)[(1 * 1024) + (2 * 32) + 5], Is.EqualTo(200));
        Assert.That(data.Image(0).ToArray().Count(b => b != 0), Is.EqualTo(1));
    }

    [Test]
    public void ReadCifar100_KeepsFineLabels()
    {
        byte[] pixels = TestFiles.RandomBytes(4 * 3072, 13);
        byte[] fine = [99, 0, 57, 12];
        byte[] coarse = [19, 0, 3, 7];
        string path = _dir.Write("train.bin", TestFiles.CifarRecords(fine, coarse, pixels));

        ImageDataSet data = CifarReader.ReadCifar100(path);

        Assert.That(data.Classes, Is.EqualTo(100));
        Assert.That(data.Labels, Is.EqualTo(fine));
        Assert.That(data.Pixels, Is.EqualTo(pixels));
    }

    [Test]
    public void ReadCifar10_EmptyFile_NamesFile()
    {
        string path = _dir.Write("data_batch_1.bin", []);

        var ex = Assert.Throws<DataFormatException>(() => CifarReader.ReadCifar10([path]));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("empty file"));
    }

    [TestCase(1)]
    [TestCase(3072)]
    [TestCase(3074)]
    [TestCase((2 * 3073) - 1)]
    public void ReadCifar10_LengthNotAWholeNumberOfRecords_NamesFile(int length)
    {
        string path = _dir.Write("data_batch_1.bin", new byte[length]);

        var ex = Assert.Throws<DataFormatException>(() => CifarReader.ReadCifar10([path]));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("3073").And.Contain($"found {length} bytes"));
    }

    [Test]
    public void ReadCifar100_LengthNotAWholeNumberOfRecords_NamesFile()
    {
        string path = _dir.Write("test.bin", new byte[3 * 3073]);

        var ex = Assert.Throws<DataFormatException>(() => CifarReader.ReadCifar100(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("3074"));
    }

    [Test]
    public void ReadCifar10_LabelOutOfRange_NamesFileAndRecord()
    {
        string path = _dir.Write("test_batch.bin", TestFiles.CifarRecords([1, 2, 10], null, new byte[3 * 3072]));

        var ex = Assert.Throws<DataFormatException>(() => CifarReader.ReadCifar10([path]));

        Assert.That(ex.Message, Does.Contain(path).And.Contain("0..9").And.Contain("record 2").And.Contain("found 10"));
    }

    [TestCase(100, 0, "fine label")]
    [TestCase(5, 20, "coarse label")]
    public void ReadCifar100_LabelOutOfRange_NamesFile(int fine, int coarse, string which)
    {
        string path = _dir.Write("train.bin", TestFiles.CifarRecords([(byte)fine], [(byte)coarse], new byte[3072]));

        var ex = Assert.Throws<DataFormatException>(() => CifarReader.ReadCifar100(path));

        Assert.That(ex.Message, Does.Contain(path).And.Contain(which));
    }

    [Test]
    public void ReadCifar10_MissingFile_Throws()
    {
        string path = Path.Combine(_dir.Path, "data_batch_9.bin");

        Assert.That(() => CifarReader.ReadCifar10([path]), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(path));
    }
}
