using System.Runtime.InteropServices;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// The probe on a user's own module: a residual branch, a dense concatenation, convolutions and a classifier with
/// biases, a frozen layer, BatchNorm in both modes. F̃ against a brute-force per-sample loop in both modes (eval mode:
/// one backward per sample; training mode: one vector-Jacobian product per layer and sample, of that sample's own term
/// of the batch gradient), and against the path-wise decomposition's defining sum (the rows of a layer sum to B times
/// its batch gradient, so 1ᵀG1 = B²|∇L|² per layer).
/// </summary>
public sealed class UserModelTests
{
    private static readonly InputShape Shape = new(2, 9, 9);

    /// <summary>x → conv → BN → ReLU → [x + conv(relu(bn(x)))] → cat[x, conv(x)] → pool → frozen linear → ReLU → linear.</summary>
    private sealed class SmallNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d _stem = nn.Conv2d(2, 6, 3, padding: 1);
        private readonly BatchNorm2d _norm = nn.BatchNorm2d(6);
        private readonly BatchNorm2d _branchNorm = nn.BatchNorm2d(6);
        private readonly Conv2d _branch = nn.Conv2d(6, 6, 3, padding: 1, bias: false);
        private readonly Conv2d _grow = nn.Conv2d(6, 4, 1, stride: 1);
        private readonly Linear _frozen = nn.Linear(10, 8);
        private readonly Linear _head = nn.Linear(8, 5);

        public SmallNet()
            : base(nameof(SmallNet))
        {
            RegisterComponents();
            foreach (Parameter p in _frozen.parameters())
            {
                p.requires_grad = false;
            }
        }

        public override Tensor forward(Tensor input)
        {
            Tensor x = nn.functional.relu(_norm.call(_stem.call(input)));
            x = x + _branch.call(nn.functional.relu(_branchNorm.call(x)));  // residual
            x = cat([x, _grow.call(x)], 1);                                    // dense concatenation: 10 channels
            x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
            return _head.call(nn.functional.relu(_frozen.call(x)));
        }
    }

    /// <summary>flatten → linear, beside a second linear that the forward never calls.</summary>
    private sealed class UnusedLayerNet : nn.Module<Tensor, Tensor>
    {
        private readonly Linear _used = nn.Linear(162, 5);
        private readonly Linear _unused = nn.Linear(162, 5);

        public UnusedLayerNet()
            : base(nameof(UnusedLayerNet)) => RegisterComponents();

        public override Tensor forward(Tensor input) => _used.call(input.flatten(1));
    }

    private static TorchNetwork Network(long seed)
    {
        random.manual_seed(seed);
        return TorchNetwork.Create(new SmallNet(), "small", Shape, 5, SgdSettings.Paper);
    }

    private static (float[] X, long[] Y) Batch(int batch, ulong seed) => TestBatches.Random(Shape, batch, 5, seed);

    [TestCase(GramMode.Auto)]
    [TestCase(GramMode.Ghost)]
    [TestCase(GramMode.Materialise)]
    public void EvalModeGram_IsThePerSampleLoops(GramMode mode)
    {
        using TorchNetwork network = Network(1);
        (float[] x, long[] y) = Batch(12, 3);
        network.TrainStep(x, y, 0.05);  // running statistics that are not the initial ones
        double[] expected = GramReference.FromRows(network.PerSampleGradients(x, y, trainMode: false), 12, network.ParameterCount);

        var gram = new double[144];
        ProbeReading reading = network.Probe(x, y, 0.05, trainMode: false, new ProbeSettings { Mode = mode }, gram);

        Assert.That(reading.Status, Is.EqualTo(ProbeStatus.Ok));
        double largest = expected.Max(Math.Abs);
        Assert.That(expected.Zip(gram, (e, a) => Math.Abs(e - a)).Max(), Is.LessThanOrEqualTo(1e-6 * largest));
    }

    [Test]
    public void TrainModeGram_IsTheLoopOverSamplesOfEachLayersOwnTerm()
    {
        using TorchNetwork network = Network(5);
        (float[] x, long[] y) = Batch(10, 7);
        var gram = new double[100];
        ProbeReading reading = network.Probe(x, y, 0.05, trainMode: true, new ProbeSettings(), gram);

        random.manual_seed(5);
        double[] expected = PathWiseGram(new SmallNet(), x, y, 10);

        Assert.That(reading.Status, Is.EqualTo(ProbeStatus.Ok));
        double largest = expected.Max(Math.Abs);
        Assert.That(expected.Zip(gram, (e, a) => Math.Abs(e - a)).Max(), Is.LessThanOrEqualTo(1e-6 * largest));
    }

    /// <summary>
    /// F̃ in training mode by its definition, one sample at a time: the backward gives each probed layer's
    /// δ = ∂L/∂(output) (coupled through the BatchNorm statistics); sample i's gradient for the layer is B times the
    /// vector-Jacobian product of the layer's output with δ kept on sample i's rows only (its own term of the batch
    /// gradient); F̃ sums the layers' inner products in float64. Frozen layers have no trainable parameters to take.
    /// </summary>
    private static double[] PathWiseGram(nn.Module<Tensor, Tensor> model, float[] x, long[] y, int batch)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        var layers = new List<Tensor[]>();
        foreach ((string _, nn.Module module) in model.named_modules())
        {
            Tensor[] trained = [.. module.parameters(recurse: false).Where(p => p.requires_grad)];
            if (trained.Length > 0)
            {
                layers.Add(trained);
                ((nn.Module<Tensor, Tensor>)module).register_forward_hook((_, _, output) =>
                {
                    outputs.Add(output);
                    return output;
                });
            }
        }

        model.train();
        Tensor input = tensor(x).reshape(batch, Shape.Channels, Shape.Height, Shape.Width);
        Tensor loss = nn.functional.cross_entropy(model.call(input), tensor(y));
        // Hooks fire in forward order; named_modules lists modules in registration order, which is forward order here.
        IList<Tensor> deltas = autograd.grad([loss], outputs, retain_graph: true);
        var rows = new double[layers.Count][][];
        for (int l = 0; l < layers.Count; l++)
        {
            rows[l] = new double[batch][];
            for (int i = 0; i < batch; i++)
            {
                Tensor mask = zeros_like(deltas[l]);
                mask[i] = deltas[l][i];
                IList<Tensor> g = autograd.grad([outputs[l]], layers[l], [mask], retain_graph: true);
                rows[l][i] = [.. g.SelectMany(t => (t * batch).flatten().to(float64).data<double>().ToArray())];
            }
        }

        var gram = new double[batch * batch];
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < batch; j++)
            {
                for (int l = 0; l < layers.Count; l++)
                {
                    gram[(i * batch) + j] += rows[l][i].Zip(rows[l][j], (a, b) => a * b).Sum();
                }
            }
        }

        return gram;
    }

    [Test]
    public void TrainModeLayerSums_AreBSquaredTimesTheBatchGradientsNorm_AndTheFrozenLayerIsLeftOut()
    {
        using TorchNetwork network = Network(2);
        (float[] x, long[] y) = Batch(10, 4);

        ProbeReading reading = network.Probe(x, y, 0.05, trainMode: true, new ProbeSettings());
        float[] gradient = network.BatchGradient(x, y, trainMode: true);

        Assert.That(network.ProbeLayerNames, Is.EqualTo(new[] { "_stem", "_norm", "_branchNorm", "_branch", "_grow", "_head" }));
        // Trainable parameters in state order: _stem (w, b), _norm (γ, β), _branchNorm (γ, β), _branch (w), _grow (w, b), _head (w, b).
        int[] sizes = [6 * 2 * 9, 6, 6, 6, 6, 6, 6 * 6 * 9, 4 * 6, 4, 5 * 8, 5];
        int[] layerOf = [0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5];
        Assert.That(network.ParameterCount, Is.EqualTo(sizes.Sum()), "the frozen layer's 88 parameters are not counted");
        var squared = new double[6];
        int offset = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            for (int i = 0; i < sizes[k]; i++)
            {
                squared[layerOf[k]] += (double)gradient[offset + i] * gradient[offset + i];
            }

            offset += sizes[k];
        }

        for (int l = 0; l < 6; l++)
        {
            double expected = 100 * squared[l];
            Assert.That(reading.LayerGradientSums![l], Is.EqualTo(expected).Within(1e-5 * Math.Max(expected, 1e-3 * reading.Trace)), network.ProbeLayerNames[l]);
        }
    }

    [Test]
    public void ASequentialModel_ProbedInTraining_InTheBackground_MeasuresTheSameAsAStandaloneProbe()
    {
        // TorchSharp's Sequential disposes each layer's output once the next layer has used it; the probe kept those
        // outputs for their gradients, and a probed step of a Sequential failed on a disposed handle.
        random.manual_seed(4);
        var model = nn.Sequential(
            ("conv", nn.Conv2d(2, 4, 3, padding: 1)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()),
            ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 81, 5)));
        using TorchNetwork network = TorchNetwork.Create(model, "seq", Shape, 5, SgdSettings.Paper);
        (float[] x, long[] y) = Batch(8, 6);
        ProbeReading standalone = network.Probe(x, y, 0.05, trainMode: true, new ProbeSettings());

        StepResult step = network.TrainStep(x, y, 0.05, new ProbeSettings { Background = true });
        ProbeReading inStep = network.CollectProbe();

        Assert.That(step.Finite, Is.True);
        Assert.That(inStep.Status, Is.EqualTo(ProbeStatus.Ok));
        Assert.That(inStep.Trace, Is.EqualTo(standalone.Trace).Within(1e-5 * standalone.Trace), "the same weights and batch");
    }

    [Test]
    public void ALayerTheForwardNeverCalls_AddsNothingToTheGram_StaysAsItWas_AndAProbedStepTrainsAsAPlainOne()
    {
        // A probed step asks autograd for the parameters' gradients and the captured outputs' together; a parameter
        // the loss does not reach has none, as after a plain backward, and the update leaves it alone.
        random.manual_seed(3);
        using TorchNetwork probed = TorchNetwork.Create(new UnusedLayerNet(), "unused", Shape, 5, SgdSettings.Paper);
        random.manual_seed(3);
        using TorchNetwork plain = TorchNetwork.Create(new UnusedLayerNet(), "unused", Shape, 5, SgdSettings.Paper);
        StateTensor[] before = [.. probed.GetState()];
        (float[] x, long[] y) = Batch(8, 5);

        StepResult step = probed.TrainStep(x, y, 0.05, new ProbeSettings());
        plain.TrainStep(x, y, 0.05);

        int unused = probed.ProbeLayerNames.ToList().IndexOf("_unused"), used = probed.ProbeLayerNames.ToList().IndexOf("_used");
        Assert.That(step.Probe!.Status, Is.EqualTo(ProbeStatus.Ok));
        Assert.That(step.Probe.LayerPaths![unused], Is.EqualTo(LayerPath.Unreached));
        Assert.That(step.Probe.LayerTraces![unused], Is.Zero);
        Assert.That(step.Probe.Trace, Is.EqualTo(step.Probe.LayerTraces[used]).And.GreaterThan(0), "F̃ is the used layer's alone");
        Assert.That(probed.GetState().Select(t => (t.Name, t.Data)), Is.EqualTo(plain.GetState().Select(t => (t.Name, t.Data))), "bit for bit");
        Assert.That(probed.GetState().Where(t => t.Name.StartsWith("_unused.", StringComparison.Ordinal)).Select(t => t.Data),
            Is.EqualTo(before.Where(t => t.Name.StartsWith("_unused.", StringComparison.Ordinal)).Select(t => t.Data)).And.Not.Empty);
        Assert.That(probed.GetState().Single(t => t.Name == "_used.weight").Data, Is.Not.EqualTo(before.Single(t => t.Name == "_used.weight").Data));
    }

    [Test]
    public void Fingerprint_NamesTheArchitecture_NotTheWeights()
    {
        using TorchNetwork first = Network(1);
        using TorchNetwork second = Network(2);
        using TorchNetwork other = TorchNetwork.Create(nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(162, 5))), "small", Shape, 5, SgdSettings.Paper);

        Assert.That(first.Spec.Name, Does.Match("^custom:small@[0-9a-f]{16}$"));
        Assert.That(second.Spec.Name, Is.EqualTo(first.Spec.Name));
        Assert.That(other.Spec.Name, Is.Not.EqualTo(first.Spec.Name));
    }

    [Test]
    public void AModuleTheProbeCannotDecompose_IsRefusedByPathAndType()
    {
        var model = nn.Sequential(("flat", nn.Flatten()), ("embed", nn.Linear(162, 8)), ("norm", nn.LayerNorm(8)), ("fc", nn.Linear(8, 5)));
        var error = Assert.Throws<ArgumentException>(() => TorchNetwork.Create(model, "x", Shape, 5, SgdSettings.Paper));
        Assert.That(error!.Message, Does.StartWith("The module 'norm' (LayerNorm) has trainable parameters"));
        model.Dispose();
    }
}
