using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// The background probe (ProbeSettings.Background): the reading must be the synchronous probe's, bit for bit, even
/// when the caller refills its batch buffer and trains on before collecting it.
/// </summary>
public sealed class BackgroundProbeTests
{
    private static readonly ProbeSettings Sync = new() { Interval = 1 };
    private static readonly ProbeSettings Background = new() { Interval = 1, Background = true };

    private static Network Create(string model) =>
        Network.Create(ModelSpec.Parse(model, TestBatches.Mnist, 10), SgdSettings.Paper, seed: 1);

    private static void AssertSameReading(ProbeReading actual, ProbeReading expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.Status, Is.EqualTo(ProbeStatus.Ok));
            Assert.That(actual.Status, Is.EqualTo(expected.Status));
            Assert.That(actual.Rank, Is.EqualTo(expected.Rank));
            Assert.That(actual.Trace, Is.EqualTo(expected.Trace));
            Assert.That(actual.LambdaMax, Is.EqualTo(expected.LambdaMax));
            Assert.That(actual.StepCondition, Is.EqualTo(expected.StepCondition));
            Assert.That(actual.StepEnergy, Is.EqualTo(expected.StepEnergy));
            Assert.That(actual.NoiseScale, Is.EqualTo(expected.NoiseScale));
            Assert.That(actual.BatchSize, Is.EqualTo(expected.BatchSize));
            Assert.That(actual.LearningRate, Is.EqualTo(expected.LearningRate));
            Assert.That(actual.LayerTraces, Is.EqualTo(expected.LayerTraces));
            Assert.That(actual.Eigenvalues, Is.EqualTo(expected.Eigenvalues));
        });
    }

    // Step 1 probed, then (before collecting) the caller's buffer is overwritten with another batch and a plain step
    // trains on it: that step moves the weights and BatchNorm's running statistics. A probe that read the buffer or
    // the modules late would see the second batch or the new statistics.
    [TestCase("mlp", 32)]
    [TestCase("resnet8", 16)]
    [TestCase("densenet8", 8)]
    public void ReadingEqualsTheSynchronousOneWhenTheCallerMovesOnBeforeCollecting(string model, int batch)
    {
        using Network sync = Create(model), background = Create(model);
        (float[] x1, long[] y1) = TestBatches.Random(sync.Spec.Input, batch, 10, seed: 5);
        (float[] x2, long[] y2) = TestBatches.Random(sync.Spec.Input, batch, 10, seed: 6);

        StepResult expected = sync.TrainStep(x1, y1, 0.05, Sync, withEigenvalues: true);
        sync.TrainStep(x2, y2, 0.05);

        float[] buffer = (float[])x1.Clone();
        long[] labels = (long[])y1.Clone();
        StepResult launched = background.TrainStep(buffer, labels, 0.05, Background, withEigenvalues: true);
        x2.CopyTo(buffer, 0);
        y2.CopyTo(labels, 0);
        background.TrainStep(buffer, labels, 0.05);
        ProbeReading collected = background.CollectProbe();

        Assert.Multiple(() =>
        {
            Assert.That(launched.Probe, Is.Null);
            Assert.That(launched.ProbePending, Is.True);
            Assert.That(launched.Loss, Is.EqualTo(expected.Loss));
            Assert.That(background.ProbePending, Is.False);
        });
        AssertSameReading(collected, expected.Probe!);
        Assert.That(
            background.GetState().Select(t => t.Data),
            Is.EqualTo(sync.GetState().Select(t => t.Data)),
            "the background probe must not change training");
    }

    [Test]
    public void ProbedStepsInARowGiveTheSynchronousReadings()
    {
        using Network sync = Create("resnet8"), background = Create("resnet8");
        var batches = Enumerable.Range(0, 4).Select(i => TestBatches.Random(sync.Spec.Input, 8, 10, seed: (ulong)(10 + i))).ToArray();
        foreach ((float[] x, long[] y) in batches)
        {
            ProbeReading expected = sync.TrainStep(x, y, 0.05, Sync).Probe!;
            if (background.ProbePending)
            {
                background.CollectProbe();
            }

            background.TrainStep(x, y, 0.05, Background);
            AssertSameReading(background.CollectProbe(), expected);
        }
    }

    [Test]
    public void ASecondBackgroundProbeBeforeCollectingIsRefusedWithoutTraining()
    {
        using Network net = Create("mlp");
        (float[] x, long[] y) = TestBatches.Random(net.Spec.Input, 8, 10, seed: 7);
        net.TrainStep(x, y, 0.05, Background);
        var before = net.GetState().Select(t => t.Data).ToList();
        var error = Assert.Throws<InvalidOperationException>(() => net.TrainStep(x, y, 0.05, Background));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("CollectProbe"));
            Assert.That(net.GetState().Select(t => t.Data), Is.EqualTo(before));
            Assert.That(net.CollectProbe().Status, Is.EqualTo(ProbeStatus.Ok));
        });
    }

    [Test]
    public void CollectingWithNothingPendingIsAnError()
    {
        using Network net = Create("mlp");
        (float[] x, long[] y) = TestBatches.Random(net.Spec.Input, 8, 10, seed: 7);
        Assert.Throws<InvalidOperationException>(() => net.CollectProbe());
        net.TrainStep(x, y, 0.05, Sync);
        Assert.Throws<InvalidOperationException>(() => net.CollectProbe());
    }

    [Test]
    public void DisposingWithAProbePendingIsSafe()
    {
        for (int i = 0; i < 5; i++)
        {
            Network net = Create("resnet8");
            (float[] x, long[] y) = TestBatches.Random(net.Spec.Input, 16, 10, seed: 8);
            net.TrainStep(x, y, 0.05, Background);
            net.Dispose();
            Assert.Throws<ObjectDisposedException>(() => net.CollectProbe());
        }
    }

    [Test]
    public void ANonFiniteStepReportsItsProbeAtOnce()
    {
        using Network net = Create("mlp");
        (float[] x, long[] y) = TestBatches.Random(net.Spec.Input, 8, 10, seed: 9);
        x[3] = float.NaN;
        StepResult result = net.TrainStep(x, y, 0.05, Background);
        Assert.Multiple(() =>
        {
            Assert.That(result.Finite, Is.False);
            Assert.That(result.ProbePending, Is.False);
            Assert.That(result.Probe!.Status, Is.EqualTo(ProbeStatus.NonFinite));
            Assert.That(net.ProbePending, Is.False);
        });
    }
}
