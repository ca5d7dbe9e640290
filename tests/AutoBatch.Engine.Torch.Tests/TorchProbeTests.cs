using System.Runtime.InteropServices;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Models.Networks;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Training;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// The Fisher probe on the TorchSharp engine: F̃ against PyTorch's (tools/check_measure.py's definition, both BatchNorm
/// modes) and against a brute-force per-sample loop, every Gram path, the measures from F̃, and the layer refusal.
/// </summary>
public sealed class TorchProbeTests
{
    private static readonly SgdSettings Sgd = SgdSettings.Paper;

    public static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("mlp:64-32", TestBatches.Mnist).SetName("{m}(mlp:64-32)");
        yield return new TestCaseData("resnet8", TestBatches.Mnist).SetName("{m}(resnet8)");
        yield return new TestCaseData("densenet8", TestBatches.Mnist).SetName("{m}(densenet8)");
        yield return new TestCaseData("densenet:2-1/4-6/8/b/0.5", TestBatches.Cifar).SetName("{m}(densenet bottleneck cifar)");
    }

    [TestCaseSource(nameof(Models))]
    public void Gram_IsPyTorchs_InBothBatchNormModes(string model, InputShape shape)
    {
        ModelSpec spec = ModelSpec.Parse(model, shape, 10);
        (float[] X, long[] Y) batch = TestBatches.Random(shape, 24, 10, seed: 21);
        TorchReference reference = TorchReference.Run(model, shape, 10, seed: 3, [0.1], [batch]);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 3);

        foreach ((string mode, bool trainMode) in new[] { ("train", true), ("eval", false) })
        {
            var gram = new double[24 * 24];
            ProbeReading reading = network.Probe(batch.X, batch.Y, 0.1, trainMode, new ProbeSettings(), gram);
            float[] expected = Floats(reference[$"gram_{mode}"]);
            double largest = expected.Max(v => Math.Abs((double)v));
            double worst = expected.Zip(gram, (e, a) => Math.Abs(e - a)).Max();
            Assert.That(worst, Is.LessThanOrEqualTo(1e-6 * largest), $"{mode}: F̃ entries {worst:G3} apart, largest {largest:G3}");
            Assert.That(reading.Status, Is.EqualTo(ProbeStatus.Ok), mode);
            float[] traces = Floats(reference[$"traces_{mode}"]);
            Assert.That(reading.LayerTraces!, Has.Count.EqualTo(traces.Length), mode);
            for (int l = 0; l < traces.Length; l++)
            {
                Assert.That(reading.LayerTraces![l], Is.EqualTo(traces[l]).Within(1e-6 * Math.Max(traces[l], 1e-6 * reading.Trace)), $"{mode}: layer {network.ProbeLayerNames[l]}");
            }
        }
    }

    [TestCase("mlp:64-32", GramMode.Ghost)]
    [TestCase("mlp:64-32", GramMode.Materialise)]
    [TestCase("resnet8", GramMode.Ghost)]
    [TestCase("resnet8", GramMode.Materialise)]
    [TestCase("resnet8", GramMode.Auto)]
    public void EvalModeGram_IsThePerSampleLoops_OnEveryPath(string model, GramMode mode)
    {
        ModelSpec spec = ModelSpec.Parse(model, TestBatches.Mnist, 10);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 8);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 10, 10, seed: 4);
        network.TrainStep(x, y, 0.05);  // BatchNorm running statistics that are not the initial ones
        float[] rows = network.PerSampleGradients(x, y, trainMode: false);
        double[] expected = GramReference.FromRows(rows, 10, network.ParameterCount);

        var gram = new double[100];
        ProbeReading reading = network.Probe(x, y, 0.05, trainMode: false, new ProbeSettings { Mode = mode, MemoryCapBytes = 1 << 20 }, gram);

        double largest = expected.Max(Math.Abs);
        Assert.That(expected.Zip(gram, (e, a) => Math.Abs(e - a)).Max(), Is.LessThanOrEqualTo(1e-6 * largest));
        var paths = reading.LayerPaths!.Select((path, l) => (Name: network.ProbeLayerNames[l], Path: path)).ToList();
        Assert.That(paths.Where(p => p.Name.Contains("bn", StringComparison.Ordinal)).Select(p => p.Path), Is.All.EqualTo(LayerPath.Rows));
        var convs = paths.Where(p => p.Name.Contains("conv", StringComparison.Ordinal)).Select(p => p.Path).ToList();
        var linear = paths.Where(p => p.Name.StartsWith("fc", StringComparison.Ordinal)).Select(p => p.Path).ToList();
        if (mode == GramMode.Ghost)
        {
            Assert.That(convs.Concat(linear), Is.All.EqualTo(LayerPath.Ghost));
        }
        else
        {
            // Rows, from the conv layers' own backward where the 1 MiB cap admits them (the fused path), else built
            // after it; the classifier's ghost Gram is the cheaper at B = 10 (T = 1) unless rows are forced.
            Assert.That(convs, Is.All.EqualTo(LayerPath.Fused).Or.EqualTo(LayerPath.Rows));
            Assert.That(convs.Count == 0 || (convs.Contains(LayerPath.Fused) && convs.Contains(LayerPath.Rows)), Is.True, "some conv layers fused, some not");
            Assert.That(linear, Is.All.EqualTo(mode == GramMode.Auto ? LayerPath.Ghost : LayerPath.Rows));
        }
    }

    [TestCase(ConvKernel.Auto, 256L << 20, 7)]
    [TestCase(ConvKernel.Auto, 0L, 0)]
    [TestCase(ConvKernel.Unfold, 256L << 20, 0)]
    public void FusedPath_TakesTheConvLayersThatFit_AndGivesTheSameGram(ConvKernel kernel, long cap, int fused)
    {
        ModelSpec spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 8);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 16, 10, seed: 5);
        var reference = new double[256];
        network.Probe(x, y, 0.1, trainMode: true, new ProbeSettings { ConvKernel = ConvKernel.Unfold }, reference);

        var gram = new double[256];
        ProbeReading reading = network.Probe(x, y, 0.1, trainMode: true, new ProbeSettings { ConvKernel = kernel, MemoryCapBytes = Math.Max(cap, 1024) }, gram);

        Assert.That(reading.FusedLayers, Is.EqualTo(fused));
        Assert.That(reading.LayerPaths!.Count(p => p == LayerPath.Fused), Is.EqualTo(fused));
        Assert.That(fused == 0 || reading.RowsSeconds > 0, Is.True, "a fused layer reports its backward's time on the rows");
        double largest = reference.Max(Math.Abs);
        Assert.That(reference.Zip(gram, (e, a) => Math.Abs(e - a)).Max(), Is.LessThanOrEqualTo(1e-6 * largest));
    }

    [Test]
    public void Measures_FollowFromTheGram()
    {
        ModelSpec spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        using var network = TorchNetwork.Create(spec, Sgd, seed: 2);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 16, 10, seed: 9);
        var gram = new double[256];
        ProbeReading r = network.Probe(x, y, 0.2, trainMode: true, new ProbeSettings(), gram);

        // Independently: eigenvalues by Jacobi rotations (MathNet-free, plain C#), the rest by definition.
        double[] eigen = JacobiEigenvalues(gram, 16);
        double lambdaMax = eigen.Max();
        double tolerance = ProbeSettings.DefaultRankTolerance(16);
        double[] kept = [.. eigen.Where(e => Math.Sqrt(Math.Max(e, 0)) > Math.Sqrt(lambdaMax) * tolerance)];
        double trace = Enumerable.Range(0, 16).Sum(i => gram[(i * 16) + i]);
        double meanSquared = gram.Sum() / 256;
        Assert.That(r.Trace, Is.EqualTo(trace).Within(1e-12 * trace));
        Assert.That(r.LambdaMax, Is.EqualTo(lambdaMax).Within(1e-9 * lambdaMax));
        Assert.That(r.Rank, Is.EqualTo(kept.Length));
        Assert.That(r.LambdaMinPositive, Is.EqualTo(kept.Min()).Within(1e-6 * kept.Min()));
        Assert.That(r.StepCondition, Is.EqualTo(Math.Sqrt(lambdaMax / kept.Min())).Within(1e-6 * r.StepCondition));
        Assert.That(r.StepEnergy, Is.EqualTo(0.2 / 16 * Math.Sqrt(trace)).Within(1e-12));
        Assert.That(r.MeanGradientSquaredNorm, Is.EqualTo(meanSquared).Within(1e-9 * Math.Abs(meanSquared)));
        Assert.That(r.NoiseScale, Is.EqualTo((trace - (16 * meanSquared)) / 15 / meanSquared).Within(1e-6 * Math.Abs(r.NoiseScale)));
        Assert.That(r.LayerTraces!.Sum(), Is.EqualTo(trace).Within(1e-9 * trace));
    }

    [Test]
    public void Probe_LeavesTheNetworkAsItWas_AndAProbedStepReadsTheSame()
    {
        ModelSpec spec = ModelSpec.Parse("densenet8", TestBatches.Mnist, 10);
        using var probed = TorchNetwork.Create(spec, Sgd, seed: 6);
        using var plain = TorchNetwork.Create(spec, Sgd, seed: 6);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 12, 10, seed: 2);
        byte[][] before = [.. probed.GetState().Select(t => t.Data)];

        ProbeReading alone = probed.Probe(x, y, 0.1, trainMode: true, new ProbeSettings());

        Assert.That(probed.GetState().Select(t => t.Data), Is.EqualTo(before));
        StepResult step = probed.TrainStep(x, y, 0.1, new ProbeSettings());
        StepResult reference = plain.TrainStep(x, y, 0.1);
        Assert.That(step.Probe!.Trace, Is.EqualTo(alone.Trace).Within(1e-12 * alone.Trace));
        Assert.That(step.Probe.LambdaMax, Is.EqualTo(alone.LambdaMax).Within(1e-12 * alone.LambdaMax));
        Assert.That(step.Loss, Is.EqualTo(reference.Loss), "the probe does not change the step");
        // The fused conv layers' weight gradient is the sum of their rows: the batch gradient up to float32 rounding.
        foreach ((StateTensor a, StateTensor b) in probed.GetState().Zip(plain.GetState()))
        {
            float[] u = Floats(a), v = Floats(b);
            double scale = Math.Max(1e-12, v.Max(e => Math.Abs((double)e)));
            Assert.That(u.Zip(v, (p, q) => Math.Abs((double)p - q)).Max(), Is.LessThanOrEqualTo(1e-6 * scale), a.Name);
        }
    }

    [Test]
    public void ProbedStep_OnNonFiniteLoss_ReadsNonFinite()
    {
        using var network = TorchNetwork.Create(ModelSpec.Parse("mlp:16", TestBatches.Mnist, 10), Sgd, seed: 1);
        (float[] x, long[] y) = TestBatches.Random(TestBatches.Mnist, 4, 10, seed: 1);
        x[0] = float.NaN;

        StepResult step = network.TrainStep(x, y, 0.1, new ProbeSettings());

        Assert.That(step.Probe!.Status, Is.EqualTo(ProbeStatus.NonFinite));
    }

    [Test]
    public void UnsupportedLayer_IsRefusedWithItsPathAndType_UnlessFrozen()
    {
        using var model = nn.Sequential(("stem", nn.Linear(4, 8)), ("norm", nn.LayerNorm(8)), ("head", nn.Linear(8, 2)));
        var error = Assert.Throws<ArgumentException>(() => ProbeHooks.Attach(model));
        Assert.That(error!.Message, Does.StartWith("The module 'norm' (LayerNorm) has trainable parameters the Fisher probe cannot take per sample"));

        foreach (var p in model.named_parameters().Where(p => p.name.StartsWith("norm", StringComparison.Ordinal)))
        {
            p.parameter.requires_grad = false;
        }

        using ProbeHooks hooks = ProbeHooks.Attach(model);
        Assert.That(hooks.Sites.Select(s => s.Name), Is.EqualTo(new[] { "stem", "head" }));
    }

    [Test]
    public void ABatchNorm1d_IsRefused_WhileBothKindsOfBatchNorm2dAreProbed()
    {
        using var flat = nn.Sequential(("stem", nn.Linear(4, 8)), ("norm", nn.BatchNorm1d(8)), ("head", nn.Linear(8, 2)));
        var error = Assert.Throws<ArgumentException>(() => ProbeHooks.Attach(flat));
        Assert.That(error!.Message, Does.StartWith("The module 'norm' (BatchNorm1d)"));

        using var convolutional = nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("theirs", nn.BatchNorm2d(4)), ("ours", new KernelBatchNorm2d(4)));
        using ProbeHooks hooks = ProbeHooks.Attach(convolutional);
        Assert.That(hooks.Sites.Select(s => (s.Name, s.Kind)), Is.EqualTo(new[]
        {
            ("conv", ProbeSiteKind.Conv), ("theirs", ProbeSiteKind.BatchNorm), ("ours", ProbeSiteKind.BatchNorm),
        }));
    }

    private static double[] JacobiEigenvalues(double[] matrix, int n)
    {
        double[] a = (double[])matrix.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    off += a[(p * n) + q] * a[(p * n) + q];
                    if (Math.Abs(a[(p * n) + q]) < 1e-300)
                    {
                        continue;
                    }

                    double theta = (a[(q * n) + q] - a[(p * n) + p]) / (2 * a[(p * n) + q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    double c = 1 / Math.Sqrt((t * t) + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[(k * n) + p], akq = a[(k * n) + q];
                        a[(k * n) + p] = (c * akp) - (s * akq);
                        a[(k * n) + q] = (s * akp) + (c * akq);
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[(p * n) + k], aqk = a[(q * n) + k];
                        a[(p * n) + k] = (c * apk) - (s * aqk);
                        a[(q * n) + k] = (s * apk) + (c * aqk);
                    }
                }
            }

            if (off < 1e-30 * Math.Pow(matrix.Max(Math.Abs), 2))
            {
                break;
            }
        }

        return [.. Enumerable.Range(0, n).Select(i => a[(i * n) + i])];
    }

    private static float[] Floats(StateTensor t) => MemoryMarshal.Cast<byte, float>(t.Data).ToArray();
}
