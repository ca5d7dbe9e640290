using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Training;

public sealed class NetworkTests
{
    private static readonly ModelSpec SmallMlp = ModelSpec.Mlp(new InputShape(1, 4, 4), 3, 8);

    [Test]
    public void SameSeedGivesSameWeightsAndOtherSeedDoesNot()
    {
        using var a = Network.Create(SmallMlp, SgdSettings.Paper, seed: 7);
        using var b = Network.Create(SmallMlp, SgdSettings.Paper, seed: 7);
        using var c = Network.Create(SmallMlp, SgdSettings.Paper, seed: 8);
        Assert.Multiple(() =>
        {
            Assert.That(a.GetState()[0].Data, Is.EqualTo(b.GetState()[0].Data));
            Assert.That(a.GetState()[0].Data, Is.Not.EqualTo(c.GetState()[0].Data));
        });
    }

    [Test]
    public void StateNamesFollowPyTorch()
    {
        using var mlp = Network.Create(ModelSpec.Parse("mlp", TestBatches.Mnist, 10), SgdSettings.Paper, 1);
        using var resnet = Network.Create(ModelSpec.Parse("resnet8", TestBatches.Mnist, 10), SgdSettings.Paper, 1);
        Assert.Multiple(() =>
        {
            Assert.That(mlp.GetState().Select(t => t.Name), Is.EqualTo(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias" }));
            Assert.That(
                resnet.GetState().Select(t => t.Name).Take(7),
                Is.EqualTo(new[] { "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight" }));
            Assert.That(resnet.GetState().Single(t => t.Name == "bn1.num_batches_tracked").DType, Is.EqualTo(StateDType.Int64));
            Assert.That(mlp.GetState(StateSet.Optimiser).Select(t => t.Name).First(), Is.EqualTo("fc1.weight.momentum_buffer"));
        });
    }

    [Test]
    public void FirstNesterovStepMatchesAHandComputation()
    {
        // torch.optim.SGD (dampening 0): d = g + wd·w; buf = d on the first step; Nesterov: w' = w − lr·(d + m·buf)
        // = w − lr·(1 + m)·(g + wd·w). The gradient comes from an independent backward without an update.
        var sgd = new SgdSettings(Momentum: 0.9, WeightDecay: 0.01, Nesterov: true);
        using var net = Network.Create(SmallMlp, sgd, seed: 3);
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 5, 3, 11);
        float[] w0 = Flatten(net.GetState());
        float[] g = net.BatchGradient(x, y, trainMode: true);
        const double lr = 0.1;
        net.TrainStep(x, y, lr);
        float[] w1 = Flatten(net.GetState());
        for (int i = 0; i < w0.Length; i++)
        {
            double expected = w0[i] - lr * (1 + sgd.Momentum) * (g[i] + sgd.WeightDecay * w0[i]);
            Assert.That(w1[i], Is.EqualTo(expected).Within(1e-6), $"parameter element {i}");
        }
    }

    [Test]
    public void SecondStepUsesTheMomentumBuffer()
    {
        var sgd = new SgdSettings(Momentum: 0.5, WeightDecay: 0, Nesterov: false);
        using var net = Network.Create(SmallMlp, sgd, seed: 3);
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 5, 3, 11);
        float[] g0 = net.BatchGradient(x, y, true);
        net.TrainStep(x, y, 0.1);
        float[] w1 = Flatten(net.GetState());
        float[] g1 = net.BatchGradient(x, y, true);
        net.TrainStep(x, y, 0.1);
        float[] w2 = Flatten(net.GetState());
        float[] buffer = Flatten(net.GetState(StateSet.Optimiser));
        for (int i = 0; i < w1.Length; i++)
        {
            double expectedBuffer = 0.5 * g0[i] + g1[i];
            Assert.That(buffer[i], Is.EqualTo(expectedBuffer).Within(1e-5));
            Assert.That(w2[i], Is.EqualTo(w1[i] - 0.1 * expectedBuffer).Within(1e-6));
        }
    }

    [Test]
    public void StateRoundTripsIntoAnotherNetwork()
    {
        var spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        using var a = Network.Create(spec, SgdSettings.Paper, seed: 1);
        using var b = Network.Create(spec, SgdSettings.Paper, seed: 2);
        (float[] x, long[] y) = TestBatches.Random(spec.Input, 4, 10, 5);
        a.TrainStep(x, y, 0.1);
        b.SetState(a.GetState());
        b.SetState(a.GetState(StateSet.Optimiser), StateSet.Optimiser);
        Assert.Multiple(() =>
        {
            Assert.That(b.Evaluate(x, y).MeanLoss, Is.EqualTo(a.Evaluate(x, y).MeanLoss));
            Assert.That(b.TrainStep(x, y, 0.1).Loss, Is.EqualTo(a.TrainStep(x, y, 0.1).Loss));
        });
    }

    [Test]
    public void SetStateRejectsAnotherModelNamingTheTensors()
    {
        using var mlp = Network.Create(SmallMlp, SgdSettings.Paper, 1);
        using var other = Network.Create(ModelSpec.Mlp(new InputShape(1, 4, 4), 3, 9), SgdSettings.Paper, 1);
        var e = Assert.Throws<UserInputException>(() => mlp.SetState(other.GetState(), source: "weights.safetensors"));
        Assert.That(e!.Message, Does.Contain("weights.safetensors").And.Contain("fc1.weight"));
    }

    [Test]
    public void EvaluateCountsAgreeWithAManualLoop()
    {
        using var net = Network.Create(SmallMlp, SgdSettings.Paper, 1);
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 10, 3, 2);
        Evaluation whole = net.Evaluate(x, y, chunk: 3);
        double lossSum = 0;
        long correct = 0;
        for (int i = 0; i < 10; i++)
        {
            Evaluation one = net.Evaluate(x.AsSpan(i * 16, 16), y.AsSpan(i, 1));
            lossSum += one.MeanLoss;
            correct += one.Correct;
        }

        Assert.Multiple(() =>
        {
            Assert.That(whole.MeanLoss, Is.EqualTo(lossSum / 10).Within(1e-6));
            Assert.That(whole.Correct, Is.EqualTo(correct));
        });
    }

    [Test]
    public void BadInputsGiveClearErrorsNotCrashes()
    {
        using var net = Network.Create(SmallMlp, SgdSettings.Paper, 1);
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 4, 3, 2);
        Assert.Multiple(() =>
        {
            Assert.That(() => net.TrainStep(x.AsSpan(1), y, 0.1), Throws.ArgumentException.With.Message.Contains("1x4x4"));
            Assert.That(() => net.TrainStep(x, y, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => net.TrainStep(x, y, double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => net.TrainStep(x, new long[] { 0, 1, 2, 3 }, 0.1), Throws.ArgumentException.With.Message.Contains("labels must be in [0, 3)"));
            Assert.That(() => net.TrainStep(x, new long[] { 0, -1, 2, 0 }, 0.1), Throws.ArgumentException.With.Message.Contains("labels"));
            Assert.That(() => Network.Create(SmallMlp, new SgdSettings(Momentum: 1.5), 1), Throws.ArgumentException.With.Message.Contains("momentum"));
        });
    }

    [Test]
    public void ATinyImageForAResNetFailsCleanlyOrWorks()
    {
        // A 1x1 image through three stages: whatever libtorch decides, it must surface as a managed exception.
        try
        {
            using var net = Network.Create(ModelSpec.Parse("resnet8", new InputShape(1, 1, 1), 10), SgdSettings.Paper, 1);
            Assert.That(net.ParameterCount, Is.GreaterThan(0));
        }
        catch (Exception e) when (e is ArgumentException or EngineException)
        {
            Assert.That(e.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void DisposedNetworkThrowsObjectDisposed()
    {
        var net = Network.Create(SmallMlp, SgdSettings.Paper, 1);
        net.Dispose();
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 2, 3, 2);
        Assert.That(() => net.TrainStep(x, y, 0.1), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void NonFiniteInputIsReportedAndSkipsTheUpdate()
    {
        using var net = Network.Create(SmallMlp, SgdSettings.Paper, 1);
        (float[] x, long[] y) = TestBatches.Random(SmallMlp.Input, 4, 3, 2);
        x[3] = float.NaN;
        byte[] before = net.GetState()[0].Data;
        StepResult r = net.TrainStep(x, y, 0.1);
        Assert.Multiple(() =>
        {
            Assert.That(r.Finite, Is.False);
            Assert.That(net.GetState()[0].Data, Is.EqualTo(before));
        });
    }

    internal static float[] Flatten(IReadOnlyList<StateTensor> state) =>
        state.Where(t => t.DType == StateDType.Float32).SelectMany(t => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.Data).ToArray()).ToArray();
}
