using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

public sealed class ThroughputModelTests
{
    // An epoch of 6,000 samples at one batch size (the last batch short when B does not divide it).
    private static EpochRecord Epoch(int batchSize, double seconds)
    {
        int iterations = (6000 + batchSize - 1) / batchSize;
        return PolicyContexts.Record(1) with { BatchSize = batchSize, Iterations = iterations, MeanBatchSize = 6000.0 / iterations, TrainSeconds = seconds };
    }

    [Test]
    public void NothingIsEstimatedBeforeAnEpochIsMeasured() =>
        Assert.That(ThroughputModel.Empty.Estimate(32), Is.Null);

    [Test]
    public void OneMeasuredBatchSizeGivesItsFigureToEveryOther()
    {
        ThroughputModel model = ThroughputModel.Empty.With(Epoch(32, 0.25)).With(Epoch(32, 0.5));
        Assert.Multiple(() =>
        {
            Assert.That(model.Samples, Is.EqualTo(new[] { new ThroughputSample(32, 12_000, 0.75) }));
            Assert.That(model.Estimate(32), Is.EqualTo(new ThroughputEstimate(32, 0.75 / 12_000, ThroughputBasis.Measured)));
            Assert.That(model.Estimate(64), Is.EqualTo(new ThroughputEstimate(64, 0.75 / 12_000, ThroughputBasis.Nearest)));
        });
    }

    // Step time t(B) = a·B + b with a = 35 µs per sample and b = 800 µs per step: s(B) = a + b/B. Measured 32 and 64
    // give exactly a and b back, so the fit reproduces every other batch size.
    [TestCase(16)]
    [TestCase(128)]
    [TestCase(512)]
    public void TwoMeasuredBatchSizesFixTheStepOverheadAndThePerSampleCost(int batchSize)
    {
        const double a = 35e-6, b = 800e-6;
        ThroughputModel model = ThroughputModel.Empty.With(Epoch(32, 6000 * (a + b / 32))).With(Epoch(64, 6000 * (a + b / 64)));
        ThroughputEstimate estimate = model.Estimate(batchSize)!;
        Assert.Multiple(() =>
        {
            Assert.That(estimate.Basis, Is.EqualTo(ThroughputBasis.Fitted));
            Assert.That(estimate.SecondsPerSample, Is.EqualTo(a + b / batchSize).Within(1e-15));
            Assert.That(model.Estimate(64)!.Basis, Is.EqualTo(ThroughputBasis.Measured));
        });
    }

    [Test]
    public void MoreThanTwoBatchSizesAreFittedByLeastSquares()
    {
        // s = 1, 2, 2 ms per sample at x = 1/B = 3/192, 6/192, 12/192: by hand, x̄ = 7/192, ȳ = 5/3,
        // Σ(x − x̄)(y − ȳ) = ((−4)(−2/3) + (−1)(1/3) + (5)(1/3))/192 = 4/192, Σ(x − x̄)² = (16 + 1 + 25)/192² = 42/36864,
        // b = (4/192)/(42/36864) = 768/42, a = 5/3 − b·7/192; at B = 128: a + b/128.
        ThroughputModel model = new([new ThroughputSample(64, 1000, 1), new ThroughputSample(32, 1000, 2), new ThroughputSample(16, 1000, 2)]);
        double slope = 768.0 / 42, intercept = 5.0 / 3 - slope * 7 / 192;
        Assert.That(model.Estimate(128)!.SecondsPerSample, Is.EqualTo((intercept + slope / 128) / 1000).Within(1e-15));
    }

    [Test]
    public void AFitWithoutAPositiveTimeFallsBackToTheNearestFigure()
    {
        // Per-sample time falling steeply with B: about s(B) = −1 + 64/B ms through (32, 1) and (64, ~0): s(128) < 0, and 64 is the nearest figure.
        ThroughputModel model = new([new ThroughputSample(32, 1000, 1), new ThroughputSample(64, 1000, 1e-9)]);
        Assert.That(model.Estimate(128), Is.EqualTo(new ThroughputEstimate(128, 1e-12, ThroughputBasis.Nearest)));
    }

    [Test]
    public void EpochsThatMixedBatchSizesOrDivergedAreNotLearned()
    {
        // 3,000 samples at 32 and 3,000 at 64: 94 + 47 steps, mean batch 6000/141, last batch 64.
        EpochRecord mixed = Epoch(64, 1) with { Iterations = 141, MeanBatchSize = 6000.0 / 141 };
        Assert.Multiple(() =>
        {
            Assert.That(ThroughputModel.Empty.With(mixed).Samples, Is.Empty);
            Assert.That(ThroughputModel.Empty.With(Epoch(64, 1) with { Diverged = true }).Samples, Is.Empty);
            Assert.That(ThroughputModel.Empty.With(Epoch(64, 0)).Samples, Is.Empty);
        });
    }

    [Test]
    public void ACalibrationScalesTheMeasuredFigureByTheTimedRatio_UntilASecondBatchSizeIsMeasured()
    {
        ThroughputModel one = ThroughputModel.Empty.With(Epoch(32, 0.6));  // 1e-4 s per sample
        // Timed together: 32 at 2e-4 s per sample (the steps leave out the probe), 64 at 1.6e-4, 16 at 3e-4.
        ThroughputModel calibrated = one.WithCalibration([new BatchTiming(32, 32, 4, 4 * 32 * 2e-4), new BatchTiming(64, 64, 4, 4 * 64 * 1.6e-4), new BatchTiming(16, 16, 4, 4 * 16 * 3e-4)], 32);
        ThroughputModel two = calibrated.With(Epoch(64, 0.42));
        Assert.Multiple(() =>
        {
            Assert.That(calibrated.Estimate(64)!.SecondsPerSample, Is.EqualTo(0.8e-4).Within(1e-18));
            Assert.That(calibrated.Estimate(64)!.Basis, Is.EqualTo(ThroughputBasis.Calibrated));
            Assert.That(calibrated.Estimate(16)!.SecondsPerSample, Is.EqualTo(1.5e-4).Within(1e-18));
            Assert.That(calibrated.Estimate(128)!.Basis, Is.EqualTo(ThroughputBasis.Nearest), "not calibrated");
            Assert.That(calibrated.IsCalibrated(64, 32) && !calibrated.IsCalibrated(32, 32), Is.True);
            Assert.That(calibrated.WithCalibration([new BatchTiming(32, 32, 4, 1), new BatchTiming(64, 64, 4, 9)], 32).Calibrations, Is.EqualTo(calibrated.Calibrations), "the first figure stays");
            // Two measured: the fit, as before, and the calibrations are kept for the record.
            Assert.That(two.Estimate(16)!.Basis, Is.EqualTo(ThroughputBasis.Fitted));
            Assert.That(two.Estimate(64)!.Basis, Is.EqualTo(ThroughputBasis.Measured));
            Assert.That(two.Calibrations, Has.Count.EqualTo(2));
            Assert.That(() => one.WithCalibration([new BatchTiming(64, 64, 4, 1)], 32), Throws.ArgumentException.With.Message.Contains("reference batch size 32"));
        });
    }

    [Test]
    public void InvalidFiguresAreRefused() =>
        Assert.Multiple(() =>
        {
            Assert.That(() => new ThroughputModel([new ThroughputSample(32, 0, 1)]), Throws.ArgumentException);
            Assert.That(() => new ThroughputModel([new ThroughputSample(32, 10, 1), new ThroughputSample(32, 20, 1)]), Throws.ArgumentException);
            Assert.That(() => new ThroughputModel([], [new ThroughputCalibration(64, 0, 32, 1)]), Throws.ArgumentException);
            Assert.That(() => new ThroughputModel([], [new ThroughputCalibration(64, 1, 32, 1), new ThroughputCalibration(64, 2, 32, 1)]), Throws.ArgumentException);
        });
}
