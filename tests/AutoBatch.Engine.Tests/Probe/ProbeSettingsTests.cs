using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>The probe's settings that callers check before any native work: memory for B x B matrices, the default rank tolerance.</summary>
public sealed class ProbeSettingsTests
{
    [Test]
    public void ABatchWhoseGramMatricesFit_IsAccepted_OneThatCannot_IsRefusedWithTheLargestThatFits()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        // The largest batch whose matrices fit, computed here from the memory .NET reports.
        int largest = (int)Math.Sqrt(available / (ProbeSettings.GramMatricesAtOnce * 8.0));

        Assert.DoesNotThrow(() => ProbeSettings.CheckMemory(512, "--batch-size"));
        Assert.DoesNotThrow(() => ProbeSettings.CheckMemory(largest, "--batch-size"));
        var e = Assert.Throws<UserInputException>(() => ProbeSettings.CheckMemory(largest + 2, "--max-thing"));

        Assert.That(e!.Message, Does.StartWith($"--max-thing: a probe of a batch of {largest + 2} needs about "));
        Assert.That(e.Message, Does.EndWith($"at most {largest} fits."));
    }

    [Test]
    public void TheDefaultRankTolerance_IsBTimesFloat32Epsilon()
    {
        Assert.That(ProbeSettings.DefaultRankTolerance(1), Is.EqualTo((double)MathF.BitIncrement(1f) - 1.0));
        Assert.That(ProbeSettings.DefaultRankTolerance(512), Is.EqualTo(512 * ((double)MathF.BitIncrement(1f) - 1.0)));
    }
}
