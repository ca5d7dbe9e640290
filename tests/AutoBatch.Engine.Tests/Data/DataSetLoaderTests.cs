using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class DataSetLoaderTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Load_MissingDirectory_NamesPathAndExpectedFiles([Values] DataSetKind kind)
    {
        string missing = Path.Combine(_dir.Path, "nowhere");

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(kind, missing));

        Assert.That(ex.Message, Does.Contain(missing));
        foreach (string name in DataSetLoader.ExpectedFiles(kind))
        {
            Assert.That(ex.Message, Does.Contain(name));
        }
    }

    [Test]
    public void Load_EmptyDirectory_ListsEveryMissingFile([Values] DataSetKind kind)
    {
        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(kind, _dir.Path));

        Assert.That(ex.Message, Does.Contain(_dir.Path).And.Contain(kind.DisplayName()));
        Assert.That(ex.Input, Does.StartWith(_dir.Path));
        foreach (string name in DataSetLoader.ExpectedFiles(kind))
        {
            Assert.That(ex.Message, Does.Contain(name));
        }
    }

    [Test]
    public void Load_Idx_MixesRawAndGzipFiles([Values(DataSetKind.FashionMnist, DataSetKind.Mnist)] DataSetKind kind)
    {
        byte[] trainPixels = TestFiles.RandomBytes(4 * 28 * 28, 31);
        byte[] testPixels = TestFiles.RandomBytes(2 * 28 * 28, 32);
        _dir.Write("train-images-idx3-ubyte.gz", TestFiles.Gzip(TestFiles.IdxImages(4, 28, 28, trainPixels)));
        _dir.Write("train-labels-idx1-ubyte", TestFiles.IdxLabels([0, 1, 2, 3]));
        _dir.Write("t10k-images-idx3-ubyte", TestFiles.IdxImages(2, 28, 28, testPixels));
        _dir.Write("t10k-labels-idx1-ubyte.gz", TestFiles.Gzip(TestFiles.IdxLabels([9, 8])));

        var (train, test) = DataSetLoader.Load(kind, _dir.Path);

        Assert.That(train.Pixels, Is.EqualTo(trainPixels));
        Assert.That(train.Labels, Is.EqualTo(new byte[] { 0, 1, 2, 3 }));
        Assert.That(test.Pixels, Is.EqualTo(testPixels));
        Assert.That(test.Labels, Is.EqualTo(new byte[] { 9, 8 }));
    }

    [Test]
    public void Load_DirectoryIsAFile_SaysSoAndListsTheExpectedFiles()
    {
        string file = _dir.Write("not-a-folder", [1, 2, 3]);

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(DataSetKind.Cifar10, file));

        Assert.That(ex.Message, Does.StartWith($"CIFAR-10 data set directory '{file}' is a file; expected a directory containing data_batch_1.bin"));
    }

    [Test]
    public void Load_DataFileIsADirectory_NamesIt()
    {
        _dir.Write("train-images-idx3-ubyte", TestFiles.IdxImages(1, 2, 2, new byte[4]));
        _dir.Write("train-labels-idx1-ubyte", TestFiles.IdxLabels([1]));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "t10k-images-idx3-ubyte"));
        _dir.Write("t10k-labels-idx1-ubyte", TestFiles.IdxLabels([1]));

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(DataSetKind.Mnist, _dir.Path));

        Assert.That(ex.Message, Is.EqualTo($"MNIST data set in '{_dir.Path}': t10k-images-idx3-ubyte is a directory; expected a file."));
        Assert.That(ex.Input, Is.EqualTo(Path.Combine(_dir.Path, "t10k-images-idx3-ubyte")));
    }

    [Test]
    public void Load_Idx_OneFileMissing_NamesIt()
    {
        _dir.Write("train-images-idx3-ubyte.gz", TestFiles.Gzip(TestFiles.IdxImages(1, 2, 2, new byte[4])));
        _dir.Write("train-labels-idx1-ubyte.gz", TestFiles.Gzip(TestFiles.IdxLabels([1])));
        _dir.Write("t10k-images-idx3-ubyte.gz", TestFiles.Gzip(TestFiles.IdxImages(1, 2, 2, new byte[4])));

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(DataSetKind.FashionMnist, _dir.Path));

        Assert.That(ex.Message, Does.Contain("missing t10k-labels-idx1-ubyte[.gz];"));
        Assert.That(ex.Input, Is.EqualTo(Path.Combine(_dir.Path, "t10k-labels-idx1-ubyte")));
    }

    [Test]
    public void Load_Cifar10_ReadsFiveTrainingBatchesAndTheTestBatch([Values("", "cifar-10-batches-bin")] string folder)
    {
        for (int b = 1; b <= 5; b++)
        {
            _dir.Write(Path.Combine(folder, $"data_batch_{b}.bin"), TestFiles.CifarRecords([(byte)b], null, new byte[3072]));
        }

        _dir.Write(Path.Combine(folder, "test_batch.bin"), TestFiles.CifarRecords([0, 9], null, new byte[2 * 3072]));

        var (train, test) = DataSetLoader.Load(DataSetKind.Cifar10, _dir.Path);

        Assert.That(train.Labels, Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.That(test.Labels, Is.EqualTo(new byte[] { 0, 9 }));
    }

    [Test]
    public void Load_Cifar10_MissingBatch_NamesIt()
    {
        foreach (string name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
        {
            _dir.Write(name, TestFiles.CifarRecords([1], null, new byte[3072]));
        }

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.Load(DataSetKind.Cifar10, _dir.Path));

        Assert.That(ex.Message, Does.Contain("missing data_batch_3.bin;"));
    }

    [Test]
    public void Load_Cifar100_ReadsTrainAndTest([Values("", "cifar-100-binary")] string folder)
    {
        _dir.Write(Path.Combine(folder, "train.bin"), TestFiles.CifarRecords([42, 99], [1, 2], new byte[2 * 3072]));
        _dir.Write(Path.Combine(folder, "test.bin"), TestFiles.CifarRecords([7], [3], new byte[3072]));

        var (train, test) = DataSetLoader.Load(DataSetKind.Cifar100, _dir.Path);

        Assert.That(train.Labels, Is.EqualTo(new byte[] { 42, 99 }));
        Assert.That(test.Labels, Is.EqualTo(new byte[] { 7 }));
        Assert.That(train.Classes, Is.EqualTo(100));
    }

    [Test]
    public void Load_Svhn_ReadsTrainAndTest()
    {
        byte[] chw = TestFiles.RandomBytes(2 * 3072, 33);
        _dir.Write("train_32x32.mat", new MatFileWriter().AddSvhnImages(chw, 2).AddDoubles("y", [10, 3]).ToArray(compress: true));
        _dir.Write("test_32x32.mat", new MatFileWriter().AddSvhnImages(chw[..3072], 1).AddDoubles("y", [7]).ToArray(compress: false));

        var (train, test) = DataSetLoader.Load(DataSetKind.Svhn, _dir.Path);

        Assert.That(train.Labels, Is.EqualTo(new byte[] { 0, 3 }));
        Assert.That(train.Pixels, Is.EqualTo(chw));
        Assert.That(test.Labels, Is.EqualTo(new byte[] { 7 }));
    }

    [Test]
    public void LoadTrain_ReadsTheTrainingFilesAlone_WithoutTheTestFiles([Values] DataSetKind kind)
    {
        // Every kind with its training files only, and a test file that would not parse if it were read.
        byte[] labels = [1, 2];
        switch (kind)
        {
            case DataSetKind.Mnist or DataSetKind.FashionMnist:
                _dir.Write("train-images-idx3-ubyte", TestFiles.IdxImages(2, 28, 28, new byte[2 * 784]));
                _dir.Write("train-labels-idx1-ubyte", TestFiles.IdxLabels(labels));
                _dir.Write("t10k-images-idx3-ubyte", [1, 2, 3]);
                break;
            case DataSetKind.Cifar10:
                for (int b = 1; b <= 5; b++)
                {
                    _dir.Write(Path.Combine("cifar-10-batches-bin", $"data_batch_{b}.bin"), TestFiles.CifarRecords([(byte)b], null, new byte[3072]));
                }

                labels = [1, 2, 3, 4, 5];
                _dir.Write(Path.Combine("cifar-10-batches-bin", "test_batch.bin"), [1, 2, 3]);
                break;
            case DataSetKind.Cifar100:
                _dir.Write("train.bin", TestFiles.CifarRecords(labels, [0, 0], new byte[2 * 3072]));
                break;
            case DataSetKind.Svhn:
                _dir.Write("train_32x32.mat", new MatFileWriter().AddSvhnImages(new byte[2 * 3072], 2).AddDoubles("y", [1, 2]).ToArray(compress: false));
                break;
        }

        ImageDataSet train = DataSetLoader.LoadTrain(kind, _dir.Path);

        Assert.That(train.Labels, Is.EqualTo(labels));
        Assert.That(() => DataSetLoader.Load(kind, _dir.Path), Throws.InstanceOf<UserInputException>(), "Load still needs the test set");
    }

    [Test]
    public void LoadTrain_MissingTrainingFile_IsNamed()
    {
        _dir.Write("train-images-idx3-ubyte", TestFiles.IdxImages(1, 2, 2, new byte[4]));

        var ex = Assert.Throws<UserInputException>(() => DataSetLoader.LoadTrain(DataSetKind.Mnist, _dir.Path));

        Assert.That(ex.Message, Does.Contain("missing train-labels-idx1-ubyte[.gz];"));
    }

    [Test]
    public void Load_MalformedFile_PropagatesTheFormatError()
    {
        _dir.Write("train.bin", new byte[100]);
        string test = _dir.Write("test.bin", TestFiles.CifarRecords([7], [3], new byte[3072]));

        var ex = Assert.Throws<DataFormatException>(() => DataSetLoader.Load(DataSetKind.Cifar100, _dir.Path));

        Assert.That(ex.FilePath, Is.EqualTo(Path.Combine(_dir.Path, "train.bin")));
        Assert.That(ex.Message, Does.Not.Contain(test));
    }

    [Test]
    public void ExpectedFiles_ListsConventionalNames()
    {
        Assert.That(DataSetLoader.ExpectedFiles(DataSetKind.FashionMnist), Is.EqualTo(new[]
        {
            "train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]", "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]",
        }));
        Assert.That(DataSetLoader.ExpectedFiles(DataSetKind.Cifar10), Has.Count.EqualTo(6).And.Contains("test_batch.bin"));
        Assert.That(DataSetLoader.ExpectedFiles(DataSetKind.Cifar100), Is.EqualTo(new[] { "train.bin", "test.bin" }));
        Assert.That(DataSetLoader.ExpectedFiles(DataSetKind.Svhn), Is.EqualTo(new[] { "train_32x32.mat", "test_32x32.mat" }));
    }
}
