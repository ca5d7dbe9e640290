using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Models;

/// <summary>
/// Parameter counts against independent closed-form counts of the architectures (docs/DESIGN.md), and against the
/// paper's figures within 5% where the paper gives one.
/// </summary>
public sealed class ParameterCountTests
{
    private static long Count(ModelSpec spec)
    {
        using var net = Network.Create(spec, SgdSettings.Paper, seed: 1);
        return net.ParameterCount;
    }

    // conv3x3 without bias: 9·in·out; BatchNorm: 2·channels; Linear: in·out + out.
    private static long ResNetFormula(int inChannels, int n, int classes)
    {
        long total = 9L * inChannels * 16 + 2 * 16;
        int channels = 16;
        foreach (int width in new[] { 16, 32, 64 })
        {
            for (int u = 0; u < n; u++)
            {
                total += 9L * channels * width + 2 * width + 9L * width * width + 2 * width;
                channels = width;
            }
        }

        return total + 64L * classes + classes;
    }

    private static long DenseNetFormula(int inChannels, int[] layers, int[] growth, int init, double compression, int classes)
    {
        long total = 9L * inChannels * init;
        int channels = init;
        for (int b = 0; b < layers.Length; b++)
        {
            for (int l = 0; l < layers[b]; l++)
            {
                total += 2L * channels + 9L * channels * growth[b];
                channels += growth[b];
            }

            if (b + 1 < layers.Length)
            {
                int output = (int)Math.Floor(channels * compression);
                total += 2L * channels + (long)channels * output;
                channels = output;
            }
        }

        return total + 2L * channels + (long)channels * classes + classes;
    }

    [Test]
    public void MlpHasThePaperCount() =>
        Assert.That(Count(ModelSpec.Parse("mlp", TestBatches.Mnist, 10)), Is.EqualTo(648_010));

    [TestCase(8, 1, 28, 10)]
    [TestCase(20, 3, 32, 10)]
    [TestCase(110, 3, 32, 10)]
    [TestCase(110, 3, 32, 100)]
    public void ResNetMatchesTheClosedForm(int depth, int channels, int size, int classes)
    {
        var spec = ModelSpec.ResNet(new InputShape(channels, size, size), classes, depth);
        Assert.That(Count(spec), Is.EqualTo(ResNetFormula(channels, (depth - 2) / 6, classes)));
    }

    [Test]
    public void ResNet110IsWithinFivePercentOfThePaper() =>
        Assert.That(Count(ModelSpec.Parse("resnet110", TestBatches.Cifar, 10)), Is.EqualTo(1_730_000).Within(5).Percent);

    [Test]
    public void MnistResNet8IsAboutSeventyThousand() =>
        // The paper says "70,000"; the closed form for 3 units with 16/32/64 channels on one input channel is 75,002.
        Assert.That(Count(ModelSpec.Parse("resnet8", TestBatches.Mnist, 10)), Is.EqualTo(75_002));

    [Test]
    public void DenseNet110MatchesTheClosedFormAndThePaper()
    {
        long count = Count(ModelSpec.Parse("densenet110", TestBatches.Cifar, 10));
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(DenseNetFormula(3, [18, 18, 18], [8, 10, 14], 16, 1.0, 10)));
            Assert.That(count, Is.EqualTo(1_770_000).Within(5).Percent);
        });
    }

    [Test]
    public void MnistDenseNet8MatchesTheClosedFormAndThePaper()
    {
        long count = Count(ModelSpec.Parse("densenet8", TestBatches.Mnist, 10));
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(DenseNetFormula(1, [2, 2, 2], [8, 8, 8], 16, 0.5, 10)));
            Assert.That(count, Is.EqualTo(10_000).Within(10).Percent);
        });
    }

    [Test]
    public void BottleneckDenseNetBuildsAndCountsMore()
    {
        var plain = ModelSpec.DenseNet(TestBatches.Mnist, 10, [2, 2], [4, 4]);
        var bottleneck = ModelSpec.DenseNet(TestBatches.Mnist, 10, [2, 2], [4, 4], bottleneck: true);
        Assert.That(Count(bottleneck), Is.GreaterThan(Count(plain)));
    }
}
