using System.Diagnostics;
using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

/// <summary>The real Fashion-MNIST from the Debian package dataset-fashion-mnist, when it is installed.</summary>
[TestFixture]
public sealed class FashionMnistTests
{
    [Test]
    public void Load_DefaultDirectory_HasTheShippedSplitBalancedClassesAndKnownStatistics()
    {
        if (!Directory.Exists(DataSetLoader.DefaultFashionMnistDirectory))
        {
            Assert.Ignore($"{DataSetLoader.DefaultFashionMnistDirectory} is absent (install dataset-fashion-mnist).");
        }

        var stopwatch = Stopwatch.StartNew();
        var (train, test) = DataSetLoader.Load(DataSetKind.FashionMnist, DataSetLoader.DefaultFashionMnistDirectory);
        stopwatch.Stop();
        TestContext.Out.WriteLine($"Fashion-MNIST train + test loaded in {stopwatch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Multiple(() =>
        {
            Assert.That((train.Count, train.Channels, train.Height, train.Width), Is.EqualTo((60_000, 1, 28, 28)));
            Assert.That((test.Count, test.Channels, test.Height, test.Width), Is.EqualTo((10_000, 1, 28, 28)));

            // Fashion-MNIST is balanced by construction: 6,000 training and 1,000 test images per class.
            Assert.That(ClassCounts(train), Is.EqualTo(Enumerable.Repeat(6_000, 10)));
            Assert.That(ClassCounts(test), Is.EqualTo(Enumerable.Repeat(1_000, 10)));
        });

        var normalisation = ChannelNormalisation.FromData(train);

        // The figures quoted throughout the literature for Fashion-MNIST's training set.
        Assert.That(normalisation.Mean[0], Is.EqualTo(0.2860).Within(5e-4));
        Assert.That(normalisation.Std[0], Is.EqualTo(0.3530).Within(5e-4));
    }

    private static int[] ClassCounts(ImageDataSet data)
    {
        int[] counts = new int[data.Classes];
        foreach (byte label in data.Labels)
        {
            counts[label]++;
        }

        return counts;
    }
}
