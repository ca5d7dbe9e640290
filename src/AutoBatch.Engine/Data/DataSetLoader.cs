namespace AutoBatch.Engine.Data;

/// <summary>
/// Loads the train/test split of a data set as shipped from a directory holding its files under their
/// conventional names.
/// </summary>
public static class DataSetLoader
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the four gzip'd IDX files.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    private const string Gz = ".gz";

    private static readonly string[] IdxFiles =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static readonly string[] Cifar10TrainFiles =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    private const string Cifar10TestFile = "test_batch.bin";
    private const string Cifar100TrainFile = "train.bin";
    private const string Cifar100TestFile = "test.bin";
    private const string SvhnTrainFile = "train_32x32.mat";
    private const string SvhnTestFile = "test_32x32.mat";

    /// <summary>
    /// Loads the training and test sets of <paramref name="kind"/> from <paramref name="directory"/>:
    /// <list type="bullet">
    /// <item>MNIST, Fashion-MNIST: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each raw or with a <c>.gz</c> suffix;</item>
    /// <item>CIFAR-10: <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> and <c>test_batch.bin</c>;</item>
    /// <item>CIFAR-100: <c>train.bin</c> and <c>test.bin</c>;</item>
    /// <item>SVHN: <c>train_32x32.mat</c> and <c>test_32x32.mat</c>.</item>
    /// </list>
    /// For CIFAR the files may also sit in the folder the official archive unpacks to
    /// (<c>cifar-10-batches-bin</c>, <c>cifar-100-binary</c>) inside <paramref name="directory"/>.
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="directory"/> does not exist or is a file, or a file is missing or is a directory.</exception>
    /// <exception cref="DataFormatException">A file is malformed; the message names it.</exception>
    public static (ImageDataSet Train, ImageDataSet Test) Load(DataSetKind kind, string directory)
    {
        (ImageDataSet train, ImageDataSet? test) = Read(kind, directory, withTest: true);
        return (train, test!);
    }

    /// <summary>
    /// The training set alone, as <see cref="Load"/> reads it, for callers that use no test images (the
    /// <c>measure</c> verb): the test files need not be there, and are not read.
    /// </summary>
    /// <exception cref="UserInputException"><paramref name="directory"/> does not exist or is a file, or a file is missing or is a directory.</exception>
    /// <exception cref="DataFormatException">A training file is malformed; the message names it.</exception>
    public static ImageDataSet LoadTrain(DataSetKind kind, string directory) => Read(kind, directory, withTest: false).Train;

    private static (ImageDataSet Train, ImageDataSet? Test) Read(DataSetKind kind, string directory, bool withTest)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (File.Exists(directory))
        {
            throw UserInputException.Naming(
                directory,
                $"{kind.DisplayName()} data set directory '{directory}' is a file; expected a directory containing {string.Join(", ", ExpectedFiles(kind))}.");
        }

        if (!Directory.Exists(directory))
        {
            throw UserInputException.Naming(
                directory,
                $"{kind.DisplayName()} data set directory '{directory}' does not exist; expected it to contain {string.Join(", ", ExpectedFiles(kind))}.");
        }

        // Without the test set, only the training files are required (the list still names all for the message).
        string[] Wanted(string[] train, string[] test) => withTest ? [.. train, .. test] : train;
        switch (kind)
        {
            case DataSetKind.FashionMnist or DataSetKind.Mnist:
                string[] idx = Require(kind, directory, Wanted(IdxFiles[..2], IdxFiles[2..]), allowGzip: true);
                return (IdxReader.Read(idx[0], idx[1]), withTest ? IdxReader.Read(idx[2], idx[3]) : null);

            case DataSetKind.Cifar10:
                string cifar10 = ArchiveFolder(directory, "cifar-10-batches-bin", Cifar10TrainFiles[0]);
                string[] batches = Require(kind, cifar10, Wanted(Cifar10TrainFiles, [Cifar10TestFile]), allowGzip: false);
                return (CifarReader.ReadCifar10(batches[..Cifar10TrainFiles.Length]), withTest ? CifarReader.ReadCifar10([batches[^1]]) : null);

            case DataSetKind.Cifar100:
                string cifar100 = ArchiveFolder(directory, "cifar-100-binary", Cifar100TrainFile);
                string[] files = Require(kind, cifar100, Wanted([Cifar100TrainFile], [Cifar100TestFile]), allowGzip: false);
                return (CifarReader.ReadCifar100(files[0]), withTest ? CifarReader.ReadCifar100(files[1]) : null);

            case DataSetKind.Svhn:
                string[] mats = Require(kind, directory, Wanted([SvhnTrainFile], [SvhnTestFile]), allowGzip: false);
                return (SvhnReader.Read(mats[0]), withTest ? SvhnReader.Read(mats[1]) : null);

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown data set kind.");
        }
    }

    /// <summary>The file names <see cref="Load"/> looks for, training files first (IDX names show the optional suffix).</summary>
    public static IReadOnlyList<string> ExpectedFiles(DataSetKind kind) => kind switch
    {
        DataSetKind.FashionMnist or DataSetKind.Mnist => [.. IdxFiles.Select(f => f + "[.gz]")],
        DataSetKind.Cifar10 => [.. Cifar10TrainFiles, Cifar10TestFile],
        DataSetKind.Cifar100 => [Cifar100TrainFile, Cifar100TestFile],
        DataSetKind.Svhn => [SvhnTrainFile, SvhnTestFile],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown data set kind."),
    };

    private static string ArchiveFolder(string directory, string archiveFolder, string probeFile)
    {
        string nested = Path.Combine(directory, archiveFolder);
        return !File.Exists(Path.Combine(directory, probeFile)) && Directory.Exists(nested) ? nested : directory;
    }

    private static string[] Require(DataSetKind kind, string directory, string[] names, bool allowGzip)
    {
        var paths = new string[names.Length];
        var missing = new List<string>();
        string? firstMissing = null;
        for (int i = 0; i < names.Length; i++)
        {
            string path = Path.Combine(directory, names[i]);
            if (allowGzip && !File.Exists(path) && File.Exists(path + Gz))
            {
                path += Gz;
            }

            paths[i] = path;
            if (Directory.Exists(path))
            {
                throw UserInputException.Naming(path, $"{kind.DisplayName()} data set in '{directory}': {names[i]} is a directory; expected a file.");
            }

            if (!File.Exists(path))
            {
                missing.Add(allowGzip ? names[i] + "[.gz]" : names[i]);
                firstMissing ??= Path.Combine(directory, names[i]);
            }
        }

        if (missing.Count > 0)
        {
            throw UserInputException.Naming(
                firstMissing!,
                $"{kind.DisplayName()} data set in '{directory}' is incomplete: missing {string.Join(", ", missing)}; expected {string.Join(", ", ExpectedFiles(kind))}.");
        }

        return paths;
    }
}
