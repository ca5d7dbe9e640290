using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// The TorchSharp engine against PyTorch 1.13 (an independent LibTorch, the same models in tools/autobatch_models.py):
/// the same seed must give the same weights bit for bit (the native engine draws them the same way, so runs start where
/// they started), the same weights the same gradients, and the same steps the same training, within float32 rounding.
/// The native engine itself cannot serve as the reference in-process: its LibTorch 1.13 and TorchSharp's 2.10 cannot
/// both be loaded into one process.
/// </summary>
public sealed class TorchNetworkTests
{
    private static readonly SgdSettings Sgd = SgdSettings.Paper;

    public static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("mlp", TestBatches.Mnist).SetName("{m}(mlp)");
        yield return new TestCaseData("mlp:64-32", TestBatches.Cifar).SetName("{m}(mlp:64-32 cifar)");
        yield return new TestCaseData("resnet8", TestBatches.Mnist).SetName("{m}(resnet8)");
        yield return new TestCaseData("resnet14", TestBatches.Cifar).SetName("{m}(resnet14 cifar)");
        yield return new TestCaseData("densenet8", TestBatches.Mnist).SetName("{m}(densenet8)");
        yield return new TestCaseData("densenet:2-1/4-6/8/b/0.5", TestBatches.Cifar).SetName("{m}(densenet bottleneck cifar)");
    }

    [TestCaseSource(nameof(Models))]
    public void InitialState_IsPyTorchsForTheSameSeed_AndGradientsMatch(string model, InputShape shape)
    {
        ModelSpec spec = ModelSpec.Parse(model, shape, 10);
        (float[] X, long[] Y) batch = TestBatches.Random(shape, 12, 10, seed: 11);
        TorchReference reference = TorchReference.Run(model, shape, 10, seed: 7, [0.1], [batch]);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 7);

        IReadOnlyList<StateTensor> expected = reference.Group("init.");
        IReadOnlyList<StateTensor> actual = network.GetState();
        Assert.That(actual.Select(t => t.Name), Is.EqualTo(expected.Select(t => t.Name)));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].Shape, Is.EqualTo(expected[i].Shape), expected[i].Name);
            Assert.That(actual[i].Data, Is.EqualTo(expected[i].Data), expected[i].Name);
        }

        Assert.That(network.ParameterCount, Is.EqualTo(expected.Where(t => !IsBuffer(t.Name)).Sum(t => t.ElementCount)));
        foreach ((string prefix, bool trainMode) in new[] { ("grad_train.", true), ("grad_eval.", false) })
        {
            float[] want = [.. reference.Group(prefix).SelectMany(Floats)];
            float[] got = network.BatchGradient(batch.X, batch.Y, trainMode);
            AssertClose(got, want, 2e-5, prefix);
        }

        // Neither gradient pass may move the BatchNorm running statistics.
        Assert.That(network.GetState().Select(t => t.Data), Is.EqualTo(expected.Select(t => t.Data)));
    }

    // Float32 rounding differences grow over steps, the faster the larger the rate and the more BatchNorm layers: PyTorch
    // itself, on one thread against two, ends DenseNet-8's six steps at rate 0.1 with stem weights 1.8% apart. The
    // convolutional networks therefore take smaller steps here, and the state tolerance is relative to its largest entry.
    [TestCase("mlp", 32, 0.1, 1e-4)]
    [TestCase("resnet8", 16, 0.01, 1e-3)]
    [TestCase("densenet8", 16, 0.01, 1e-3)]
    public void TrainingSteps_FollowPyTorch(string model, int batch, double rate, double stateTolerance)
    {
        ModelSpec spec = ModelSpec.Parse(model, TestBatches.Mnist, 10);
        double[] rates = [rate, rate, rate, rate / 2, rate / 2, rate / 2];
        (float[] X, long[] Y)[] batches = [.. rates.Select((_, i) => TestBatches.Random(TestBatches.Mnist, batch, 10, seed: (ulong)(100 + i)))];
        TorchReference reference = TorchReference.Run(model, TestBatches.Mnist, 10, seed: 5, rates, batches);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 5);

        float[] losses = Floats(reference["loss"]);
        long[] correct = Longs(reference["correct"]);
        for (int step = 0; step < rates.Length; step++)
        {
            StepResult result = network.TrainStep(batches[step].X, batches[step].Y, rates[step]);
            Assert.That(result.Finite, Is.True);
            Assert.That(result.Loss, Is.EqualTo(losses[step]).Within(1e-5 * Math.Max(1, losses[step])), $"step {step}");
            Assert.That(result.Correct, Is.EqualTo(correct[step]), $"step {step}");
        }

        foreach ((StateSet set, string prefix) in new[] { (StateSet.Model, "final."), (StateSet.Optimiser, "momentum.") })
        {
            Dictionary<string, StateTensor> want = reference.Group(prefix).ToDictionary(t => t.Name);
            foreach (StateTensor got in network.GetState(set))
            {
                string name = set == StateSet.Optimiser ? got.Name[..^".momentum_buffer".Length] : got.Name;
                if (got.DType == StateDType.Int64)
                {
                    Assert.That(got.Data, Is.EqualTo(want[name].Data), name);
                }
                else
                {
                    AssertClose(Floats(got), Floats(want[name]), stateTolerance, prefix + name);
                }
            }
        }

        Evaluation evaluation = network.Evaluate(batches[0].X, batches[0].Y, chunk: 7);
        float lossSum = Floats(reference["eval_loss_sum"])[0];
        Assert.That(evaluation.MeanLoss * batch, Is.EqualTo(lossSum).Within(1e-5 * lossSum));
        Assert.That(evaluation.Correct, Is.EqualTo(Longs(reference["eval_correct"])[0]));
    }

    [TestCase("mlp", 16)]
    [TestCase("resnet8", 8)]
    public void SameSeed_GivesBitIdenticalTraining(string model, int batch)
    {
        ModelSpec spec = ModelSpec.Parse(model, TestBatches.Mnist, 10);
        using var first = TorchNetwork.Create(spec, Sgd, seed: 9);
        using var second = TorchNetwork.Create(spec, Sgd, seed: 9);
        for (int step = 0; step < 4; step++)
        {
            (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, batch, 10, seed: (ulong)step);
            Assert.That(second.TrainStep(x, y, 0.1).Loss, Is.EqualTo(first.TrainStep(x, y, 0.1).Loss));
        }

        Assert.That(StateBytes(second), Is.EqualTo(StateBytes(first)));
    }

    [Test]
    public void ACalibration_TimesRealSteps_AndPutsTheNetworkBackBitForBit()
    {
        ModelSpec spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 4);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 24, 10, seed: 3);
        network.TrainStep(x, y, 0.1);  // momentum and running statistics that a calibration would move
        byte[][] before = StateBytes(network);  // parameters, buffers and momentum
        var data = new InMemoryBatchSource(x, y, TestBatches.Mnist, 10, "random");

        IReadOnlyList<BatchTiming> timings = StepCalibration.Time(network, data, [.. Enumerable.Range(0, 24)], [8, 32]);

        Assert.That(timings.Select(t => (t.BatchSize, t.StepSamples, t.Steps)), Is.EqualTo(new[] { (8, 8, 64), (32, 24, 64) }));
        Assert.That(timings.All(t => t.SecondsPerSample > 0), Is.True);
        Assert.That(StateBytes(network), Is.EqualTo(before));
    }

    [Test]
    public void InPlaceUpdate_IsTorchSharpsOptimSgd()
    {
        // TorchSharp's own optimiser as the independent reference for the update arithmetic. The two agree to the last
        // bit or two, not always exactly: the same operations run in place here and out of place there.
        ModelSpec spec = ModelSpec.Mlp(new InputShape(1, 4, 4), 3, 8);
        using var ours = TorchNetwork.Create(spec, Sgd, seed: 2);
        using var reference = AutoBatch.Engine.Models.Networks.NetworkFactory.Create(spec, seed: 2);
        using var optimiser = TorchSharp.torch.optim.SGD(reference.parameters(), 0.1, momentum: 0.9, weight_decay: 1e-4, nesterov: true);
        for (int step = 0; step < 5; step++)
        {
            (float[] x, long[] y) = TestBatches.Random(spec.Input, 6, 3, seed: (ulong)(40 + step));
            ours.TrainStep(x, y, 0.1);
            using var scope = TorchSharp.torch.NewDisposeScope();
            optimiser.zero_grad();
            var input = TorchSharp.torch.tensor(x, [6, 1, 4, 4]);
            var labels = TorchSharp.torch.tensor(y);
            TorchSharp.torch.nn.functional.cross_entropy(reference.call(input), labels).backward();
            optimiser.step();
        }

        foreach ((string name, TorchSharp.Modules.Parameter p) in reference.named_parameters())
        {
            StateTensor mine = ours.GetState().Single(t => t.Name == name);
            float[] theirs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(p.detach().contiguous().bytes).ToArray();
            AssertClose(Floats(mine), theirs, 1e-6, name);
        }
    }

    [Test]
    public void NonFiniteLoss_SkipsTheUpdate()
    {
        ModelSpec spec = ModelSpec.Parse("mlp:16", TestBatches.Mnist, 10);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 1);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 4, 10, seed: 1);
        x[3] = float.NaN;
        byte[][] before = StateBytes(network);

        StepResult step = network.TrainStep(x, y, 0.1);

        Assert.That(step.Finite, Is.False);
        Assert.That(StateBytes(network), Is.EqualTo(before));
    }

    [Test]
    public void SetState_LoadsAnotherNetworksState_AndRefusesAMismatchByName()
    {
        ModelSpec spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        using var source = TorchNetwork.Create(spec, Sgd, seed: 1);
        using var target = TorchNetwork.Create(spec, Sgd, seed: 2);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 8, 10, seed: 3);
        source.TrainStep(x, y, 0.1);

        target.SetState(source.GetState());
        target.SetState(source.GetState(StateSet.Optimiser), StateSet.Optimiser);

        Assert.That(StateBytes(target), Is.EqualTo(StateBytes(source)));
        Assert.That(target.TrainStep(x, y, 0.1).Loss, Is.EqualTo(source.TrainStep(x, y, 0.1).Loss));

        StateTensor[] wrong = [.. source.GetState().Select(t => t.Name == "fc.bias" ? t with { Shape = [5], Data = new byte[20] } : t)];
        var error = Assert.Throws<UserInputException>(() => target.SetState(wrong, source: "w.safetensors"));
        Assert.That(error!.Message, Does.StartWith("w.safetensors: tensor 'fc.bias' is Float32 [5]"));
    }

    private static byte[][] StateBytes(TorchNetwork n) => [.. n.GetState().Concat(n.GetState(StateSet.Optimiser)).Select(t => t.Data)];

    private static float[] Floats(StateTensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.Data).ToArray();

    private static long[] Longs(StateTensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(t.Data).ToArray();

    private static bool IsBuffer(string name) => name.EndsWith("running_mean", StringComparison.Ordinal)
        || name.EndsWith("running_var", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    /// <summary>Every entry within <paramref name="relative"/> of the reference's largest magnitude.</summary>
    private static void AssertClose(float[] actual, float[] expected, double relative, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double scale = Math.Max(1e-6, expected.Max(v => Math.Abs((double)v)));
        double worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.That(worst, Is.LessThanOrEqualTo(relative * scale), $"{what}: largest difference {worst:G3} of {scale:G3}");
    }
}
