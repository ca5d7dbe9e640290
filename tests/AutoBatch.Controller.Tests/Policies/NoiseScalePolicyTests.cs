using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class NoiseScalePolicyTests
{
    private static readonly NoiseScalePolicy Policy = new(new PolicyGuards { MinBatchSize = 16, MaxBatchSize = 512, DwellEpochs = 2 });

    [TestCase(1.0, 1)]
    [TestCase(45.0, 32)] // log2 45 = 5.49 -> 2^5
    [TestCase(46.0, 64)] // log2 46 = 5.52 -> 2^6
    [TestCase(300.0, 256)]
    [TestCase(400.0, 512)]
    public void RoundsToTheNearestPowerOfTwoInLogScale(double value, int expected) =>
        Assert.That(NoiseScalePolicy.NearestPowerOfTwo(value), Is.EqualTo(expected));

    [TestCase(46.0, 64)]
    [TestCase(3.0, 16)] // clamped to the minimum
    [TestCase(5000.0, 512)] // clamped to the maximum
    public void FollowsTheLastEpochsNoiseScaleWithinTheBounds(double noise, int expected)
    {
        BatchDecision d = Policy.Decide(PolicyContexts.Boundary(3, batchSize: 128, last: PolicyContexts.Record(3, noise: noise)));
        Assert.Multiple(() =>
        {
            Assert.That(d.BatchSize, Is.EqualTo(expected));
            Assert.That(d.Evaluated, Is.True);
            Assert.That(d.Reason, Does.Contain("B_simple"));
        });
    }

    [Test]
    public void HoldsBetweenEpochBoundariesDuringTheDwellAndInTheLastPhase()
    {
        PolicyContext midEpoch = PolicyContexts.Boundary(3, batchSize: 128) with { IterationInEpoch = 7 };
        PolicyContext dwell = PolicyContexts.Boundary(3, batchSize: 128, sinceChange: 1);
        PolicyContext lastPhase = PolicyContexts.Boundary(13, batchSize: 128);
        PolicyContext noMeasure = PolicyContexts.Boundary(3, batchSize: 128, last: PolicyContexts.Record(3, measurements: 0));
        Assert.Multiple(() =>
        {
            Assert.That(Policy.Decide(midEpoch), Is.EqualTo(BatchDecision.Hold(128, "between decision points (epoch boundaries)")).Using<BatchDecision>(SameChoice));
            Assert.That(Policy.Decide(dwell).BatchSize, Is.EqualTo(128));
            Assert.That(Policy.Decide(dwell).Reason, Does.Contain("dwell: 1 of 2"));
            Assert.That(Policy.Decide(lastPhase).BatchSize, Is.EqualTo(128));
            Assert.That(Policy.Decide(lastPhase).Reason, Does.Contain("last learning-rate phase"));
            Assert.That(Policy.Decide(noMeasure).BatchSize, Is.EqualTo(128));
            Assert.That(Policy.Decide(PolicyContexts.Boundary(0, batchSize: 128)).Evaluated, Is.False);
        });
    }

    [Test]
    public void LastPhaseChangesCanBeAllowed()
    {
        var open = new NoiseScalePolicy(new PolicyGuards { FreezeInLastPhase = false, DwellEpochs = 0 });
        BatchDecision d = open.Decide(PolicyContexts.Boundary(13, batchSize: 128, last: PolicyContexts.Record(13, noise: 40)));
        Assert.That(d.BatchSize, Is.EqualTo(32));
    }

    [Test]
    public void GuardsRefuseInvertedBounds()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseScalePolicy(new PolicyGuards { MinBatchSize = 64, MaxBatchSize = 32 }));
        Assert.That(e!.ParamName, Is.EqualTo("MaxBatchSize"));
    }

    private static bool SameChoice(BatchDecision a, BatchDecision b) => a.BatchSize == b.BatchSize && a.Evaluated == b.Evaluated && a.Reason == b.Reason;
}
