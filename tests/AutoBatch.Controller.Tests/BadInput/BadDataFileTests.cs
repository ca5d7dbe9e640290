using System.Buffers.Binary;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// Bad data files through the <c>train</c> verb: each case corrupts one file of a valid data set and expects
/// exit code 2, an error on standard error naming the file and what was expected, and the records of an earlier run
/// in the output folder untouched. The readers' own tests (Engine.Tests/Data) cover the formats in depth; these
/// check that every failure reaches the user as bad input rather than a crash.
/// </summary>
[TestFixture]
public sealed class BadDataFileTests
{
    private readonly List<string> _folders = [];

    [TearDown]
    public void DeleteFolders()
    {
        foreach (string folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }

        _folders.Clear();
    }

    private string Data(DataSetKind kind)
    {
        string dir = BadData.Write(kind);
        _folders.Add(dir);
        return dir;
    }

    private static Task<CliResult> Train(DataSetKind kind, string data, string output, params string[] more) =>
        Cli.InvokeAsync(["train", "--data", kind.ToString(), "--data-path", data, "--model", "mlp:8", "--epochs", "1", "--batch-size", "8", "--probe-interval", "0", "--output", output, .. more]);

    [TestCase(DataSetKind.Mnist)]
    [TestCase(DataSetKind.Cifar10)]
    [TestCase(DataSetKind.Cifar100)]
    [TestCase(DataSetKind.Svhn)]
    public async Task TheUncorruptedDataSetsTrain(DataSetKind kind)
    {
        // The control: every case below fails because of its corruption, not because the writers are wrong.
        string data = Data(kind);
        CliResult r = await Train(kind, data, Path.Combine(data, "out"));
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.Ok), r.All);
        Assert.That(File.ReadAllLines(Path.Combine(data, "out", "epochs.jsonl")), Has.Length.EqualTo(1));
    }

    public static IEnumerable<TestCaseData> CorruptFiles()
    {
        static TestCaseData Case(string name, DataSetKind kind, string file, Action<string> corrupt, string expected) =>
            new TestCaseData(kind, file, corrupt, expected).SetName("Train_" + name);

        int imagesLength = 16 + (BadData.TrainCount * 784);
        yield return Case("IdxImagesTruncated", DataSetKind.Mnist, "train-images-idx3-ubyte", p => Cut(p, 100),
            $"file is truncated: expected {imagesLength} bytes (a 16-byte header and {BadData.TrainCount} images of 28x28), found {imagesLength - 100}.");
        yield return Case("IdxImagesEmpty", DataSetKind.Mnist, "train-images-idx3-ubyte", p => File.WriteAllBytes(p, []),
            "file is truncated: expected 4 bytes of IDX magic, found 0.");
        yield return Case("IdxLabelsFileGivenAsImages", DataSetKind.Mnist, "train-images-idx3-ubyte",
            p => File.Copy(Path.Combine(Path.GetDirectoryName(p)!, "train-labels-idx1-ubyte"), p, overwrite: true),
            "expected IDX magic 0x00000803 (unsigned byte, 3 dims), found 0x00000801 (a labels file).");
        yield return Case("IdxLabelsWrongMagic", DataSetKind.Mnist, "t10k-labels-idx1-ubyte", p => Poke(p, 0, 0x12345678),
            "expected IDX magic 0x00000801 (unsigned byte, 1 dim), found 0x12345678.");
        yield return Case("IdxZeroRows", DataSetKind.Mnist, "t10k-images-idx3-ubyte", p => Poke(p, 8, 0),
            "expected a positive row count in the IDX header, found 0.");
        yield return Case("IdxImageLabelCountMismatch", DataSetKind.Mnist, "train-labels-idx1-ubyte",
            p => File.WriteAllBytes(p, TestFiles.IdxLabels(new byte[BadData.TrainCount - 1])),
            $"expected {BadData.TrainCount} labels to match the {BadData.TrainCount} images in ");
        yield return Case("IdxLabelOutOfRange", DataSetKind.Mnist, "train-labels-idx1-ubyte", p => SetByte(p, 8 + 3, 10),
            "expected labels in 0..9, found 10 at index 3.");
        yield return Case("IdxTrailingData", DataSetKind.Mnist, "t10k-images-idx3-ubyte", p => Append(p, 7),
            "but it has trailing data.");
        yield return Case("IdxCorruptGzip", DataSetKind.Mnist, "train-images-idx3-ubyte.gz",
            p =>
            {
                File.Delete(p[..^3]);
                File.WriteAllBytes(p, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x78, 1, 2, 3]);
            },
            "corrupt compressed data while reading IDX magic");
        yield return Case("Cifar10NotWholeRecords", DataSetKind.Cifar10, "data_batch_3.bin", p => Cut(p, 5),
            $"expected a multiple of the 3073-byte CIFAR-10 record (1 label byte(s) + 3072 pixel bytes), found {(4 * 3073) - 5} bytes (3 whole records + 3068 bytes).");
        yield return Case("Cifar10Empty", DataSetKind.Cifar10, "data_batch_2.bin", p => File.WriteAllBytes(p, []),
            "expected CIFAR-10 records of 3073 bytes, found an empty file.");
        yield return Case("Cifar10LabelOutOfRange", DataSetKind.Cifar10, "test_batch.bin", p => SetByte(p, 2 * 3073, 12),
            "expected label in 0..9 in record 2, found 12.");
        yield return Case("Cifar100CoarseLabelOutOfRange", DataSetKind.Cifar100, "train.bin", p => SetByte(p, 3074, 20),
            "expected coarse label in 0..19 in record 1, found 20.");
        yield return Case("Cifar100GivenCifar10Records", DataSetKind.Cifar100, "test.bin", p => File.WriteAllBytes(p, BadData.Cifar(3, 10, null, 5)),
            "expected a multiple of the 3074-byte CIFAR-100 record");
        yield return Case("SvhnTruncated", DataSetKind.Svhn, "train_32x32.mat", p => Cut(p, 3000),
            "file is truncated");
        yield return Case("SvhnNotAMatFile", DataSetKind.Svhn, "test_32x32.mat", p => File.WriteAllText(p, new string('x', 200)),
            "expected a MATLAB Level-5 MAT file (endian indicator 'IM' at offset 126), found bytes 0x78 0x78.");
        yield return Case("SvhnImageLabelCountMismatch", DataSetKind.Svhn, "train_32x32.mat", p => File.WriteAllBytes(p, BadData.Svhn(BadData.TrainCount, BadData.TrainCount - 2, 3)),
            $"expected {BadData.TrainCount} labels in 'y' to match the {BadData.TrainCount} images in 'X', found {BadData.TrainCount - 2}.");
        yield return Case("SvhnLabelOutOfRange", DataSetKind.Svhn, "test_32x32.mat", p => File.WriteAllBytes(p, BadData.Svhn(BadData.TestCount, BadData.TestCount, 3, [1, 0, 3, 4])),
            "expected labels 1..10 in 'y' (10 meaning digit 0), found 0 at index 1.");
    }

    [TestCaseSource(nameof(CorruptFiles))]
    public async Task ACorruptFileIsBadInputNamingTheFile(DataSetKind kind, string file, Action<string> corrupt, string expected)
    {
        string data = Data(kind);
        string path = Path.Combine(data, file);
        corrupt(path);
        string output = BadData.PreviousTrainOutput(data);

        CliResult r = await Train(kind, data, output);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain($"train failed: {path}: ").And.Contain(expected), r.All);
            Assert.That(r.Stderr + r.Stdout, Does.Not.Contain("crashed"));
            BadData.AssertIntact(output);
        });
    }

    [Test]
    public async Task AMissingDataFolderIsNamedWithTheFilesExpectedInIt()
    {
        string parent = Data(DataSetKind.Mnist);
        string missing = Path.Combine(parent, "no-such-folder");
        string output = BadData.PreviousTrainOutput(parent);

        CliResult r = await Train(DataSetKind.Cifar10, missing, output);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"CIFAR-10 data set directory '{missing}' does not exist; expected it to contain data_batch_1.bin, "));
        BadData.AssertIntact(output);
    }

    [Test]
    public async Task AFileGivenAsTheDataFolderIsNamed()
    {
        string data = Data(DataSetKind.Mnist);
        string file = Path.Combine(data, "train-images-idx3-ubyte");
        string output = BadData.PreviousTrainOutput(data);

        CliResult r = await Train(DataSetKind.Mnist, file, output);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"MNIST data set directory '{file}' is a file; expected a directory containing train-images-idx3-ubyte[.gz]"));
        BadData.AssertIntact(output);
    }

    [Test]
    public async Task AMissingDataFileIsNamedAmongTheExpectedOnes()
    {
        string data = Data(DataSetKind.Svhn);
        File.Delete(Path.Combine(data, "test_32x32.mat"));
        string output = BadData.PreviousTrainOutput(data);

        CliResult r = await Train(DataSetKind.Svhn, data, output);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"SVHN data set in '{data}' is incomplete: missing test_32x32.mat; expected train_32x32.mat, test_32x32.mat."));
        BadData.AssertIntact(output);
    }

    [Test]
    public async Task ADirectoryWhereADataFileBelongsIsNamed()
    {
        string data = Data(DataSetKind.Cifar10);
        File.Delete(Path.Combine(data, "data_batch_4.bin"));
        Directory.CreateDirectory(Path.Combine(data, "data_batch_4.bin"));
        string output = BadData.PreviousTrainOutput(data);

        CliResult r = await Train(DataSetKind.Cifar10, data, output);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"CIFAR-10 data set in '{data}': data_batch_4.bin is a directory; expected a file."));
        BadData.AssertIntact(output);
    }

    [Test]
    public async Task AnUnreadableDataFileIsBadInputNamingIt()
    {
        string data = Data(DataSetKind.Mnist);
        string path = Path.Combine(data, "train-labels-idx1-ubyte");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
        }

        // Root (as in CI containers) reads any file whatever its mode, so the case can only run as another user.
        Assume.That(CanOpen(path), Is.False, "running as root: file permissions are not enforced, so an unreadable file cannot be made");
        string output = BadData.PreviousTrainOutput(data);

        CliResult r = await Train(DataSetKind.Mnist, data, output);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"Access to the path '{path}' is denied."));
        BadData.AssertIntact(output);
    }

    private static bool CanOpen(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Cut(string path, int bytes)
    {
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..^bytes]);
    }

    private static void Append(string path, int bytes) => File.AppendAllText(path, new string('!', bytes));

    private static void SetByte(string path, int offset, byte value)
    {
        byte[] all = File.ReadAllBytes(path);
        all[offset] = value;
        File.WriteAllBytes(path, all);
    }

    private static void Poke(string path, int offset, uint bigEndianWord)
    {
        byte[] all = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32BigEndian(all.AsSpan(offset), bigEndianWord);
        File.WriteAllBytes(path, all);
    }
}
