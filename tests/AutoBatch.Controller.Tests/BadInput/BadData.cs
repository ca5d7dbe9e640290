using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// Small valid data sets in each format, written with the Engine tests' independent writers, for the cases to
/// corrupt; and output files from an earlier run that a failing invocation must leave untouched.
/// </summary>
internal static class BadData
{
    /// <summary>Training images per data set (CIFAR-10: per batch file); enough for the batch size 8 of the cases.</summary>
    public const int TrainCount = 20;

    public const int TestCount = 4;

    /// <summary>A fresh folder holding a valid <paramref name="kind"/> data set under its conventional file names.</summary>
    public static string Write(DataSetKind kind)
    {
        string dir = Directory.CreateTempSubdirectory("autobatch-badinput-").FullName;
        switch (kind)
        {
            case DataSetKind.Mnist or DataSetKind.FashionMnist:
                WriteIdx(dir, "train", TrainCount, 1);
                WriteIdx(dir, "t10k", TestCount, 2);
                break;
            case DataSetKind.Cifar10:
                for (int b = 1; b <= 5; b++)
                {
                    File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), Cifar(TrainCount / 5, 10, null, (ulong)b));
                }

                File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Cifar(TestCount, 10, null, 9));
                break;
            case DataSetKind.Cifar100:
                File.WriteAllBytes(Path.Combine(dir, "train.bin"), Cifar(TrainCount, 100, 20, 11));
                File.WriteAllBytes(Path.Combine(dir, "test.bin"), Cifar(TestCount, 100, 20, 12));
                break;
            case DataSetKind.Svhn:
                File.WriteAllBytes(Path.Combine(dir, "train_32x32.mat"), Svhn(TrainCount, TrainCount, 21));
                File.WriteAllBytes(Path.Combine(dir, "test_32x32.mat"), Svhn(TestCount, TestCount, 22));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return dir;
    }

    /// <summary>An SVHN .mat file of <paramref name="images"/> images and <paramref name="labels"/> labels 1..10.</summary>
    public static byte[] Svhn(int images, int labels, ulong seed, double[]? labelValues = null) =>
        new MatFileWriter()
            .AddSvhnImages(TestFiles.RandomBytes(images * 3072, seed), images)
            .AddDoubles("y", labelValues ?? [.. Enumerable.Range(0, labels).Select(i => (double)(1 + (i % 10)))])
            .ToArray(compress: false);

    /// <summary>CIFAR records with labels i mod <paramref name="classes"/> and, for CIFAR-100, coarse labels i mod 20.</summary>
    public static byte[] Cifar(int count, int classes, int? coarseClasses, ulong seed) =>
        TestFiles.CifarRecords(
            [.. Enumerable.Range(0, count).Select(i => (byte)(i % classes))],
            coarseClasses is { } c ? [.. Enumerable.Range(0, count).Select(i => (byte)(i % c))] : null,
            TestFiles.RandomBytes(count * 3072, seed));

    /// <summary>An IDX images/labels pair of <paramref name="count"/> random 28x28 images with labels i mod 10.</summary>
    public static void WriteIdx(string dir, string prefix, int count, ulong seed, int side = 28)
    {
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), TestFiles.IdxImages(count, side, side, TestFiles.RandomBytes(count * side * side, seed)));
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), TestFiles.IdxLabels([.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))]));
    }

    /// <summary>
    /// An output folder as an earlier <c>train</c> left it (epochs.jsonl and epochs.csv); <see cref="AssertIntact"/>
    /// checks a failed invocation did not truncate or overwrite them.
    /// </summary>
    public static string PreviousTrainOutput(string parent)
    {
        string output = Path.Combine(parent, "previous-run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "epochs.jsonl"), "{\"epoch\":1,\"testError\":0.25}\n{\"epoch\":2,\"testError\":0.2}\n");
        File.WriteAllText(Path.Combine(output, "epochs.csv"), "epoch,test_error\n1,0.25\n2,0.2\n");
        return output;
    }

    /// <summary>Asserts the files of <see cref="PreviousTrainOutput"/> still hold what it wrote.</summary>
    public static void AssertIntact(string output)
    {
        Assert.That(File.ReadAllText(Path.Combine(output, "epochs.jsonl")), Is.EqualTo("{\"epoch\":1,\"testError\":0.25}\n{\"epoch\":2,\"testError\":0.2}\n"), "epochs.jsonl of the earlier run");
        Assert.That(File.ReadAllText(Path.Combine(output, "epochs.csv")), Is.EqualTo("epoch,test_error\n1,0.25\n2,0.2\n"), "epochs.csv of the earlier run");
    }
}
