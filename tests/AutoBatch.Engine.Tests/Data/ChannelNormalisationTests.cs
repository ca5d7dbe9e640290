using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class ChannelNormalisationTests
{
    [Test]
    public void FromData_MatchesHandComputation()
    {
        // Two 2-channel 1x2 images. Channel 0 holds 0, 255, 255, 255 -> 0, 1, 1, 1: mean 3/4,
        // variance (9/16 + 3 * 1/16) / 4 = 3/16. Channel 1 holds 51, 51, 102, 0 -> 0.2, 0.2, 0.4, 0:
        // mean 0.2, variance (0 + 0 + 0.04 + 0.04) / 4 = 0.02.
        byte[] pixels = [0, 255, 51, 51, 255, 255, 102, 0];
        var data = new ImageDataSet(pixels, [0, 1], channels: 2, height: 1, width: 2, classes: 2, source: "hand");

        var n = ChannelNormalisation.FromData(data);

        Assert.That(n.Channels, Is.EqualTo(2));
        Assert.That(n.Mean[0], Is.EqualTo(0.75).Within(1e-12));
        Assert.That(n.Std[0], Is.EqualTo(Math.Sqrt(3.0 / 16)).Within(1e-12));
        Assert.That(n.Mean[1], Is.EqualTo(0.2).Within(1e-12));
        Assert.That(n.Std[1], Is.EqualTo(Math.Sqrt(0.02)).Within(1e-12));
    }

    [Test]
    public void FromData_MatchesANaiveTwoPassLoopOnRandomData()
    {
        byte[] pixels = TestFiles.RandomBytes(50 * 3 * 4 * 5, 41);
        var data = new ImageDataSet(pixels, new byte[50], 3, 4, 5, 10, "random");

        var n = ChannelNormalisation.FromData(data);

        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 50).SelectMany(i => pixels.Skip((i * 60) + (c * 20)).Take(20)).Select(b => b / 255.0).ToArray();
            double mean = values.Average();
            double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
            Assert.That(n.Mean[c], Is.EqualTo(mean).Within(1e-12), $"mean of channel {c}");
            Assert.That(n.Std[c], Is.EqualTo(std).Within(1e-12), $"std of channel {c}");
        }
    }

    [Test]
    public void FromData_ConstantChannel_CentresWithoutScaling()
    {
        var data = new ImageDataSet([51, 51, 51], [0, 1, 0], 1, 1, 1, 2, "flat");

        var n = ChannelNormalisation.FromData(data);

        Assert.That(n.Mean[0], Is.EqualTo(0.2).Within(1e-12));
        Assert.That(n.Std[0], Is.EqualTo(1.0));
    }

    [Test]
    public void Apply_IsScaledPixelMinusMeanOverStd()
    {
        var n = new ChannelNormalisation([0.5, 0.25], [0.5, 2.0]);

        Assert.That(n.Apply(0, 255), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(n.Apply(1, 0), Is.EqualTo(-0.125).Within(1e-12));
    }

    [Test]
    public void Constructor_RejectsBadStatistics()
    {
        Assert.That(() => new ChannelNormalisation([0.5], [0.0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("std"));
        Assert.That(() => new ChannelNormalisation([double.NaN], [1.0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("mean"));
        Assert.That(() => new ChannelNormalisation([0.5, 0.5], [1.0]), Throws.TypeOf<ArgumentException>());
        Assert.That(() => new ChannelNormalisation([], []), Throws.TypeOf<ArgumentException>());
    }
}
