using System.Text.Json;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// <see cref="FisherAccumulator"/>'s two ways in (readings one by one, whole epochs by their means) and its checkpoint
/// state; <see cref="ReadingSums"/>' means.
/// </summary>
public sealed class FisherAccumulatorTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static ProbeReading Reading(double condition, double trace, ProbeStatus status = ProbeStatus.Ok, RuleMeasure? other = null) => new()
    {
        Status = status, BatchSize = 4, LearningRate = 0.5, Rank = 3, Trace = trace, LambdaMax = 10, LambdaMinPositive = 1,
        StepCondition = condition, MeanGradientSquaredNorm = 1, VarianceTrace = 1, NoiseScale = 2, GramSeconds = 0, EigenSeconds = 0,
        OtherRule = other,
    };

    [Test]
    public void AWholeEpochAddsToTheMeansAsTheRunningMeanAndSum()
    {
        var acc = FisherAccumulator.StartingAt(100, 10, 3.0, 5.0);
        acc.AddEpoch(50, 5, 6.0, 2.5);
        Assert.Multiple(() =>
        {
            Assert.That(acc.Iterations, Is.EqualTo(150));
            Assert.That(acc.Measurements, Is.EqualTo(15));
            Assert.That(acc.CumulativeCondition, Is.EqualTo((3.0 * 10 + 6.0 * 5) / 15));
            Assert.That(acc.CumulativeEnergy, Is.EqualTo(7.5));
        });

        acc.AddEpoch(50, 0, 100.0, 1.0);
        Assert.Multiple(() =>
        {
            Assert.That(acc.CumulativeCondition, Is.EqualTo(4.0), "an epoch without measurements leaves C̄ as it is");
            Assert.That(acc.CumulativeEnergy, Is.EqualTo(8.5));
            Assert.That(acc.Measurements, Is.EqualTo(15));
        });
    }

    [Test]
    public void AtOneBatchSizeWholeEpochsAgreeWithReadings()
    {
        var byReading = new FisherAccumulator();
        var byEpoch = new FisherAccumulator();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var epochReadings = new ReadingSums();
            for (int i = 0; i < 12; i++)
            {
                byReading.AddIteration();
                if (i % 5 == 0)
                {
                    ProbeReading r = Reading(2 + epoch + i, 16 + i * i);
                    byReading.AddReading(r);
                    epochReadings.Add(r);
                }
            }

            byEpoch.AddEpoch(12, epochReadings.Count, epochReadings.MeanStepCondition, 12 * epochReadings.MeanStepEnergy);
            Assert.Multiple(() =>
            {
                Assert.That(byEpoch.Iterations, Is.EqualTo(byReading.Iterations));
                Assert.That(byEpoch.Measurements, Is.EqualTo(byReading.Measurements));
                Assert.That(byEpoch.CumulativeCondition, Is.EqualTo(byReading.CumulativeCondition).Within(1e-12).Percent);
                Assert.That(byEpoch.CumulativeEnergy, Is.EqualTo(byReading.CumulativeEnergy).Within(1e-12).Percent);
            });
        }
    }

    [Test]
    public void ReadingsAfterWholeEpochsRescaleByTheirOwnRatio()
    {
        var acc = FisherAccumulator.StartingAt(10, 2, 4.0, 1.0, otherCumulativeCondition: 8.0);
        for (int i = 0; i < 6; i++)
        {
            acc.AddIteration();
        }

        // l = 0.5/4 · sqrt(16) = 0.5 each; 6 iterations over 2 readings: 3 · 1.0 added to L.
        acc.AddReading(Reading(1.0, 16, other: new RuleMeasure(RankRule.Reference, 2, 4, 1)));
        acc.AddReading(Reading(3.0, 16, other: new RuleMeasure(RankRule.Reference, 2, 4, 1)));
        acc.AddReading(Reading(0, 0, ProbeStatus.Zero));
        Assert.Multiple(() =>
        {
            Assert.That(acc.Iterations, Is.EqualTo(16));
            Assert.That(acc.Measurements, Is.EqualTo(4));
            Assert.That(acc.InvalidMeasurements, Is.EqualTo(1));
            Assert.That(acc.CumulativeCondition, Is.EqualTo((4.0 * 2 + 1 + 3) / 4));
            Assert.That(acc.OtherCumulativeCondition, Is.EqualTo((8.0 * 2 + 2 + 2) / 4));
            Assert.That(acc.CumulativeEnergy, Is.EqualTo(1.0 + 3.0));
        });
    }

    [Test]
    public void EveryStateRoundTripsThroughJson()
    {
        var acc = FisherAccumulator.StartingAt(10, 2, 4.0, 1.0);
        acc.AddEpoch(7, 2, 5.0, 0.75, otherEpochCondition: 3.0);
        acc.AddIteration();
        acc.AddReading(Reading(2.0, 9));
        FisherAccumulatorState state = acc.Snapshot();
        FisherAccumulator back = FisherAccumulator.Restore(JsonSerializer.Deserialize<FisherAccumulatorState>(JsonSerializer.Serialize(state, Json), Json)!);
        Assert.Multiple(() =>
        {
            Assert.That(back.Snapshot(), Is.EqualTo(state));
            Assert.That(back.CumulativeCondition, Is.EqualTo(acc.CumulativeCondition));
            Assert.That(back.OtherCumulativeCondition, Is.EqualTo(acc.OtherCumulativeCondition));
            Assert.That(back.CumulativeEnergy, Is.EqualTo(acc.CumulativeEnergy));
            Assert.That(back.Iterations, Is.EqualTo(18));
            Assert.That(back.Measurements, Is.EqualTo(5));
        });
    }

    [Test]
    public void ATrainingRunsStateIsWrittenAndReadAsBefore()
    {
        var acc = new FisherAccumulator();
        acc.AddIteration();
        acc.AddReading(Reading(2.0, 16));
        string json = JsonSerializer.Serialize(acc.Snapshot(), Json);
        Assert.That(json, Is.EqualTo("""{"iterations":1,"measurements":1,"invalidMeasurements":0,"conditionSum":2,"energySum":0.5,"otherConditionSum":0}"""));

        // A checkpoint from before the other rank rule (five values).
        FisherAccumulator old = FisherAccumulator.Restore(JsonSerializer.Deserialize<FisherAccumulatorState>(
            """{"iterations":10,"measurements":2,"invalidMeasurements":1,"conditionSum":6,"energySum":1}""", Json)!);
        Assert.Multiple(() =>
        {
            Assert.That(old.CumulativeCondition, Is.EqualTo(3));
            Assert.That(old.CumulativeEnergy, Is.EqualTo(5));
            Assert.That(old.InvalidMeasurements, Is.EqualTo(1));
        });
    }

    [Test]
    public void InconsistentCountsAreRefused()
    {
        Assert.Throws<InvalidDataException>(() => FisherAccumulator.Restore(new FisherAccumulatorState(5, 2, 0, 1, 1, 0, EarlierIterations: 6)));
        Assert.Throws<InvalidDataException>(() => ReadingSums.Restore(-1, 0, 0, 0, 0, 0, 0));
    }

    [Test]
    public void ReadingSumsAverageValidReadingsOnly()
    {
        var sums = new ReadingSums();
        Assert.That(sums.MeanStepCondition, Is.Zero);
        Assert.That(sums.Add(Reading(2.0, 16, other: new RuleMeasure(RankRule.Reference, 2, 9, 1))), Is.True);
        Assert.That(sums.Add(Reading(4.0, 64)), Is.True);
        Assert.That(sums.Add(Reading(100, 100, ProbeStatus.NonFinite)), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(sums.Count, Is.EqualTo(2));
            Assert.That(sums.MeanStepCondition, Is.EqualTo(3));
            Assert.That(sums.MeanStepEnergy, Is.EqualTo((0.5 + 1.0) / 2));
            Assert.That(sums.MeanRank, Is.EqualTo(3));
            Assert.That(sums.MeanNoiseScale, Is.EqualTo(2));
            Assert.That(sums.MeanOtherStepCondition, Is.EqualTo(1.5));
            Assert.That(sums.MeanOtherRank, Is.EqualTo(1));
        });
    }
}
