using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Training;

public sealed class TrainerTests
{
    private static ImageDataSet Synthetic(int count, ulong seed)
    {
        // Class-dependent blobs so that the model can learn something.
        var rng = new Pcg32(seed);
        var pixels = new byte[count * 8 * 8];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextInt(3);
            labels[i] = (byte)label;
            for (int p = 0; p < 64; p++)
            {
                int signal = (p % 3 == label) ? 120 : 0;
                pixels[i * 64 + p] = (byte)Math.Min(255, signal + rng.NextInt(100));
            }
        }

        return new ImageDataSet(pixels, labels, 1, 8, 8, 3, $"synthetic-{seed}");
    }

    private static List<(EpochRecord Record, List<double> Losses)> Run(
        int threadsSeed, int epochs, IStepPlanner planner, ProbeSettings? probe, AugmentationKind augmentation = AugmentationKind.CropOnly)
    {
        ImageDataSet train = Synthetic(200, 1), test = Synthetic(50, 2);
        var norm = ChannelNormalisation.FromData(train);
        using var net = Network.Create(ModelSpec.Mlp(new InputShape(1, 8, 8), 3, 16), SgdSettings.Paper, seed: threadsSeed);
        var trainer = new Trainer(
            net,
            new BatchAssembler(train, norm, augmentation),
            new BatchAssembler(test, norm, AugmentationKind.None),
            new TrainerOptions { Epochs = epochs, Seed = threadsSeed, Probe = probe });
        var result = new List<(EpochRecord, List<double>)>();
        var losses = new List<double>();
        foreach (EpochRecord r in trainer.Run(planner, e => losses.Add(e.Result.Loss)))
        {
            result.Add((r, losses));
            losses = [];
        }

        return result;
    }

    [Test]
    public void SameSeedGivesIdenticalLossesAndMeasures()
    {
        var planner = new FixedPlanner(16, new StepDecaySchedule(0.05, 3));
        var a = Run(5, 3, planner, new ProbeSettings { Interval = 2 });
        var b = Run(5, 3, planner, new ProbeSettings { Interval = 2 });
        var c = Run(6, 3, planner, new ProbeSettings { Interval = 2 });
        Assert.Multiple(() =>
        {
            Assert.That(a.Select(e => e.Losses), Is.EqualTo(b.Select(e => e.Losses)));
            Assert.That(a.Select(e => e.Record.CumulativeCondition), Is.EqualTo(b.Select(e => e.Record.CumulativeCondition)));
            Assert.That(a.Select(e => e.Record.TestError), Is.EqualTo(b.Select(e => e.Record.TestError)));
            Assert.That(a[0].Losses, Is.Not.EqualTo(c[0].Losses));
        });
    }

    [Test]
    public void EpochIsOnePassWhateverTheBatchSizes()
    {
        var planner = new CyclingPlanner([7, 32, 3]);
        var run = Run(1, 2, planner, null);
        Assert.Multiple(() =>
        {
            // 200 samples: 7+32+3 = 42 per cycle -> 4 cycles (168) then 7, 25 (last batch truncated to the rest).
            Assert.That(run[0].Record.Iterations, Is.EqualTo(14));
            Assert.That(run[0].Record.MeanBatchSize, Is.EqualTo(200.0 / 14).Within(1e-12));
            Assert.That(run[1].Record.TotalIterations, Is.EqualTo(run[0].Record.Iterations + run[1].Record.Iterations));
        });
    }

    [Test]
    public void ProbeSamplesIterationsWhereNModIntervalIsOne()
    {
        // 200 samples at B=10: 20 iterations; interval 7 measures n = 1, 8, 15 -> 3 per epoch.
        var run = Run(1, 2, new FixedPlanner(10, new StepDecaySchedule(0.05, 2)), new ProbeSettings { Interval = 7 });
        Assert.Multiple(() =>
        {
            Assert.That(run[0].Record.Measurements, Is.EqualTo(3));
            Assert.That(run[0].Record.CumulativeCondition, Is.GreaterThanOrEqualTo(1));
            Assert.That(run[0].Record.CumulativeEnergy, Is.GreaterThan(0));
            // L_K = (iterations / measurements) * sum(l_k): after epoch 1, 20/3 * 3 * mean(l) = 20 * mean(l).
            Assert.That(run[0].Record.CumulativeEnergy, Is.EqualTo(20 * run[0].Record.EpochEnergy).Within(1e-9).Percent);
        });
    }

    [Test]
    public void BackgroundProbeGivesTheSameRunAsTheSynchronousOne()
    {
        // Interval 3 with batch sizes cycling 7, 32, 3: readings are collected at the next probed step or at the epoch's
        // end, never at a time that depends on the probe thread, so records and losses must match to the bit.
        var planner = new CyclingPlanner([7, 32, 3]);
        var sync = Run(2, 3, planner, new ProbeSettings { Interval = 3 });
        var background = Run(2, 3, planner, new ProbeSettings { Interval = 3, Background = true });
        Assert.Multiple(() =>
        {
            Assert.That(background.Select(e => e.Losses), Is.EqualTo(sync.Select(e => e.Losses)));
            Assert.That(background.Select(e => WithoutTimes(e.Record)), Is.EqualTo(sync.Select(e => WithoutTimes(e.Record))));
            Assert.That(background[0].Record.Measurements, Is.EqualTo(5));
            Assert.That(background[^1].Record.ProbeSeconds, Is.GreaterThan(0));
            // CPU time of the steps: some, and no more than every core busy for the whole of their wall time.
            Assert.That(background.Select(e => e.Record.TrainCpuSeconds), Is.All.GreaterThan(0));
            Assert.That(
                background.Select(e => e.Record.TrainCpuSeconds - (e.Record.TrainSeconds * Environment.ProcessorCount)),
                Is.All.LessThan(0.05));
        });
    }

    [Test]
    public void CheckpointMidEpochCollectsTheBackgroundProbe()
    {
        // Cancelled after step 4 of an epoch whose step 4 was probed in the background: the captured state must hold
        // that reading, as a synchronous run's state does.
        TrainerState Capture(bool background)
        {
            ImageDataSet train = Synthetic(200, 1), test = Synthetic(50, 2);
            var norm = ChannelNormalisation.FromData(train);
            using var net = Network.Create(ModelSpec.Mlp(new InputShape(1, 8, 8), 3, 16), SgdSettings.Paper, seed: 3);
            var trainer = new Trainer(
                net,
                new BatchAssembler(train, norm, AugmentationKind.None),
                new BatchAssembler(test, norm, AugmentationKind.None),
                new TrainerOptions { Epochs = 2, Seed = 3, Probe = new ProbeSettings { Interval = 3, Background = background } });
            using var stop = new CancellationTokenSource();
            int steps = 0;
            Assert.Throws<OperationCanceledException>(() => trainer.RunEpoch(
                new FixedPlanner(10, new StepDecaySchedule(0.05, 2)),
                _ =>
                {
                    if (++steps == 4)
                    {
                        stop.Cancel();
                    }
                },
                stop.Token));
            return trainer.CaptureState();
        }

        TrainerState sync = Capture(background: false), background = Capture(background: true);
        Assert.Multiple(() =>
        {
            Assert.That(background.InProgress!.Measured, Is.EqualTo(2));
            Assert.That(background.Measures, Is.EqualTo(sync.Measures));
            Assert.That(
                background.InProgress with { TrainSeconds = 0, ProbeSeconds = 0, CpuSeconds = 0 },
                Is.EqualTo(sync.InProgress! with { TrainSeconds = 0, ProbeSeconds = 0, CpuSeconds = 0 }));
        });
    }

    private static EpochRecord WithoutTimes(EpochRecord r) => r with { TrainSeconds = 0, TrainCpuSeconds = 0, ProbeSeconds = 0, EvalSeconds = 0 };

    [TestCase(false)]
    [TestCase(true)]
    public void BothRankRulesRecordWhatEachRuleAloneRecords(bool background)
    {
        // The rank rule changes what is measured, never the training: a run under each rule alone and a run under both
        // must take the same steps, and the both-rules run's other measures must be the other run's own, to the bit.
        var planner = new CyclingPlanner([7, 32, 3]);
        var tolerance = Run(4, 2, planner, new ProbeSettings { Interval = 2, Background = background });
        var reference = Run(4, 2, planner, new ProbeSettings { Interval = 2, Background = background, RankRule = RankRule.Reference });
        var both = Run(4, 2, planner, new ProbeSettings { Interval = 2, Background = background, BothRankRules = true });
        Assert.Multiple(() =>
        {
            Assert.That(reference.Select(e => e.Losses), Is.EqualTo(tolerance.Select(e => e.Losses)));
            Assert.That(both.Select(e => e.Losses), Is.EqualTo(tolerance.Select(e => e.Losses)));
            Assert.That(tolerance.All(e => e.Record.OtherRule is null && e.Record.RankRule == RankRule.Tolerance));
            Assert.That(reference.All(e => e.Record.RankRule == RankRule.Reference));
            Assert.That(
                both.Select(e => WithoutTimes(e.Record) with { OtherRule = null }),
                Is.EqualTo(tolerance.Select(e => WithoutTimes(e.Record))));
            Assert.That(
                both.Select(e => WithoutTimes(e.Record.UnderRule(RankRule.Reference)) with { OtherRule = null }),
                Is.EqualTo(reference.Select(e => WithoutTimes(e.Record))));
            Assert.That(both[^1].Record.OtherRule!.Rule, Is.EqualTo(RankRule.Reference));
            Assert.That(() => tolerance[0].Record.UnderRule(RankRule.Reference), Throws.InvalidOperationException);
        });
    }

    [Test]
    public void LearnsTheSyntheticTask()
    {
        // Without augmentation: the synthetic classes are defined by pixel position, which crops would move.
        var run = Run(1, 6, new FixedPlanner(16, new StepDecaySchedule(0.05, 6)), null, AugmentationKind.None);
        Assert.That(run[^1].Record.TestError, Is.LessThan(0.2));
    }

    [Test]
    public void ACalibrationTimesTheSizesAskedFor_AndLeavesTheRunAsItWouldHaveBeen()
    {
        var schedule = new StepDecaySchedule(0.05, 3);
        var calibrating = new CalibratingPlanner(new FixedPlanner(16, schedule), [16, 32, 500]);
        var plain = Run(3, 3, new FixedPlanner(16, schedule), new ProbeSettings { Interval = 2, Background = true });
        var timed = Run(3, 3, calibrating, new ProbeSettings { Interval = 2, Background = true });

        Assert.Multiple(() =>
        {
            Assert.That(timed.Select(e => e.Losses), Is.EqualTo(plain.Select(e => e.Losses)), "every step as without the calibration");
            Assert.That(timed.Select(e => WithoutTimes(e.Record)), Is.EqualTo(plain.Select(e => WithoutTimes(e.Record))));
            // Asked at the first step of epochs 2 and 3; a size above the 200 samples is timed at 200.
            Assert.That(calibrating.Asked, Is.EqualTo(new[] { (1, 1), (2, 1) }));
            Assert.That(
                calibrating.Timings.Select(t => (t.BatchSize, t.StepSamples, t.Steps)),
                Is.EqualTo(new[] { (16, 16, 64), (32, 32, 64), (500, 200, 11), (16, 16, 64), (32, 32, 64), (500, 200, 11) }));
            Assert.That(calibrating.Timings.All(t => t.Seconds > 0), Is.True);
            Assert.That(calibrating.Seconds[0], Is.GreaterThanOrEqualTo(calibrating.Timings.Take(3).Sum(t => t.Seconds)));
            Assert.That(timed[1].Record.TrainSeconds, Is.GreaterThan(calibrating.Seconds[0]), "the calibration counts as the epoch's training time");
        });
    }

    /// <summary>A fixed schedule that asks for a calibration at the first step of every epoch after the first.</summary>
    private sealed class CalibratingPlanner(IStepPlanner inner, int[] sizes) : ICalibratingPlanner
    {
        public List<(int Epoch, int Iteration)> Asked { get; } = [];

        public List<BatchTiming> Timings { get; } = [];

        public List<double> Seconds { get; } = [];

        public StepPlan Plan(TrainingProgress progress) => inner.Plan(progress);

        public IReadOnlyList<int> CalibrationWanted(TrainingProgress progress)
        {
            if (progress.IterationInEpoch != 1 || progress.Epoch == 0)
            {
                return [];
            }

            Asked.Add((progress.Epoch, progress.IterationInEpoch));
            return sizes;
        }

        public void Calibrated(TrainingProgress progress, IReadOnlyList<BatchTiming> timings, double seconds)
        {
            Timings.AddRange(timings);
            Seconds.Add(seconds);
        }
    }

    private sealed class CyclingPlanner(int[] sizes) : IStepPlanner
    {
        public StepPlan Plan(TrainingProgress progress) =>
            new(sizes[(progress.IterationInEpoch - 1) % sizes.Length], 0.01);
    }
}
