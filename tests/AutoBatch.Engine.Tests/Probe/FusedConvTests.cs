using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// The fused conv path: on a probed forward/backward a conv layer's backward computes the per-sample weight
/// gradients itself (grouped kernel), keeps them for F̃ and returns their sum as the weight gradient. It must give the
/// post-hoc path's F̃ and the plain step's update, and it must actually be taken.
/// </summary>
public sealed class FusedConvTests
{
    private static readonly ProbeSettings Default = new();

    private static (Network Net, float[] X, long[] Y) Setup(string model, int batch, bool warm = true)
    {
        var spec = ModelSpec.Parse(model, TestBatches.Mnist, 10);
        var net = Network.Create(spec, SgdSettings.Paper, seed: 1);
        (float[] x, long[] y) = TestBatches.Random(spec.Input, batch, 10, seed: 3);
        if (warm)
        {
            // A few steps so that BatchNorm running statistics and weights are not at their initial values.
            for (int i = 0; i < 3; i++)
            {
                net.TrainStep(x, y, 0.05);
            }
        }

        return (net, x, y);
    }

    // No model spec builds a conv with bias, so every conv here is bias-free; ConvGramTests covers the bias rows of
    // the grouped kernel the fused path shares.
    private static int ConvLayers(Network net) => net.ProbeLayerNames.Count(n => n.Split('.')[^1].StartsWith("conv", StringComparison.Ordinal));

    private static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / scale;
    }

    [TestCase("resnet8")]
    [TestCase("densenet8")]
    public void FusedGramMatchesABruteForcePerSampleLoopInEvalMode(string model)
    {
        const int Batch = 8;
        (Network net, float[] x, long[] y) = Setup(model, Batch);
        using (net)
        {
            var gram = new double[Batch * Batch];
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: false, Default, gram);
            double[] expected = GramTests.BruteForceGram(net, x, y, Batch, trainMode: false);
            Assert.Multiple(() =>
            {
                Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
                Assert.That(r.FusedLayers, Is.EqualTo(ConvLayers(net)).And.GreaterThan(0));
                Assert.That(MaxRelativeError(gram, expected), Is.LessThanOrEqualTo(1e-5));
            });
        }
    }

    [Test]
    public void RepeatedFusedProbesAtChangingBatchSizesGiveThePostHocGram()
    {
        // One network probed again and again, as in training: nothing a fused backward leaves in a layer may leak into
        // the next probe. Batch sizes up and down (larger than the other tests' 8, a new size every time but one), each
        // probe against the post-hoc im2col path on the same batch, which builds its rows from the captured
        // activations instead. (Not against the per-sample loop here: on one of these batches one entry of the loop's
        // F̃ differs from every path of the probe by 2.6e-4 of the largest entry, while the paths agree to 6e-9; most
        // likely a pre-activation that a batch-of-one forward rounds to the other side of a ReLU's kink.)
        (Network net, _, _) = Setup("resnet8", 16);
        using var owner = net;
        var spec = ModelSpec.Parse("resnet8", TestBatches.Mnist, 10);
        var unfold = new ProbeSettings { ConvKernel = ConvKernel.Unfold };
        int[] batches = [40, 70, 70, 9, 40];
        for (int i = 0; i < batches.Length; i++)
        {
            int batch = batches[i];
            (float[] x, long[] y) = TestBatches.Random(spec.Input, batch, 10, seed: 10 + (ulong)i);
            var fused = new double[batch * batch];
            var expected = new double[batch * batch];
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: false, Default, fused);
            ProbeReading u = net.Probe(x, y, 0.1, trainMode: false, unfold, expected);
            Assert.Multiple(() =>
            {
                Assert.That(new[] { r.Status, u.Status }, Is.All.EqualTo(ProbeStatus.Ok), $"probe {i} (B = {batch})");
                Assert.That(r.FusedLayers, Is.EqualTo(ConvLayers(net)), $"probe {i} (B = {batch})");
                Assert.That(u.FusedLayers, Is.Zero, $"probe {i} (B = {batch})");
                // The fused backward's time is the probe's; a probe after it without fused layers reports none.
                Assert.That(r.RowsSeconds, Is.GreaterThan(0), $"probe {i} (B = {batch})");
                Assert.That(u.RowsSeconds, Is.Zero, $"probe {i} (B = {batch})");
                Assert.That(r.Seconds, Is.EqualTo(r.RowsSeconds + r.GramSeconds + r.EigenSeconds));
                Assert.That(MaxRelativeError(fused, expected), Is.LessThanOrEqualTo(1e-6), $"probe {i} (B = {batch})");
            });
        }
    }

    [Test]
    public void FusedAndPostHocPathsGiveTheSameGram([Values("resnet8", "densenet8")] string model, [Values] bool trainMode)
    {
        // In training mode BatchNorm couples the samples and a per-sample loop is no reference (the path-wise
        // g_i of docs/DESIGN.md); the post-hoc path, checked against ghost and per-sample references elsewhere, is.
        const int Batch = 8;
        (Network net, float[] x, long[] y) = Setup(model, Batch);
        using (net)
        {
            (double[] Gram, int Fused) Probe(ProbeSettings s)
            {
                var g = new double[Batch * Batch];
                ProbeReading r = net.Probe(x, y, 0.1, trainMode, s, g);
                Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
                return (g, r.FusedLayers);
            }

            (double[] fused, int fusedLayers) = Probe(Default);
            // Each of these keeps every conv layer on the post-hoc path: rows over the cap, the unfold kernel, ghost.
            (double[] capped, int cappedLayers) = Probe(new ProbeSettings { MemoryCapBytes = 4096 });
            (double[] unfold, int unfoldLayers) = Probe(new ProbeSettings { ConvKernel = ConvKernel.Unfold });
            (double[] ghost, int ghostLayers) = Probe(new ProbeSettings { Mode = GramMode.Ghost });
            Assert.Multiple(() =>
            {
                Assert.That(fusedLayers, Is.EqualTo(ConvLayers(net)));
                Assert.That(new[] { cappedLayers, unfoldLayers, ghostLayers }, Is.All.EqualTo(0));
                Assert.That(MaxRelativeError(fused, capped), Is.LessThanOrEqualTo(1e-6));
                Assert.That(MaxRelativeError(fused, unfold), Is.LessThanOrEqualTo(1e-6));
                Assert.That(MaxRelativeError(fused, ghost), Is.LessThanOrEqualTo(1e-6));
            });
        }
    }

    [Test]
    public void FusedLayersShareTheMemoryCap()
    {
        // All fused layers hold their B x p float32 rows until the probe runs, so they share the cap, in forward order.
        // ResNet-8 at B = 8: the stem's rows take 8·144·4 = 4.5 KiB, layer1's two convs 72 KiB each, layer2.0.conv1
        // 144 KiB: under 256 KiB the first three fit and the rest, however large, stay post-hoc.
        const int Batch = 8;
        (Network net, float[] x, long[] y) = Setup("resnet8", Batch);
        using (net)
        {
            var shared = new double[Batch * Batch];
            var postHoc = new double[Batch * Batch];
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: true, new ProbeSettings { MemoryCapBytes = 256 << 10 }, shared);
            net.Probe(x, y, 0.1, trainMode: true, new ProbeSettings { ConvKernel = ConvKernel.Unfold }, postHoc);
            Assert.Multiple(() =>
            {
                Assert.That(r.FusedLayers, Is.EqualTo(3));
                Assert.That(MaxRelativeError(shared, postHoc), Is.LessThanOrEqualTo(1e-6));
            });
        }
    }

    [TestCase("resnet8", 16, ConvKernel.Direct)]
    [TestCase("resnet8", 16, ConvKernel.Grouped)]
    [TestCase("densenet8", 12, ConvKernel.Direct)]
    [TestCase("densenet8", 12, ConvKernel.Grouped)]
    public void ProbedStepAppliesThePlainStepsGradient(string model, int batch, ConvKernel kernel)
    {
        // The direct kernel's rows hold each weight gradient in (out, kh, kw, in) order, which the fused backward
        // permutes back to PyTorch's layout: a wrong permutation fails here.
        Assume.That(kernel != ConvKernel.Direct || GramKernelTests.Avx512Runs(), "the direct kernel needs AVX-512F");
        // From fresh networks the momentum buffer after one step is exactly the gradient the update used
        // (g + weight decay · θ, with θ equal in both networks), so comparing buffers compares gradients.
        // Not bit-identical: the fused backward sums the per-sample gradients in float32 in another order than the
        // batch weight-gradient kernel, so the conv weight gradients differ in their last bits.
        (Network probed, float[] x, long[] y) = Setup(model, batch, warm: false);
        (Network plain, _, _) = Setup(model, batch, warm: false);
        using (probed)
        using (plain)
        {
            StepResult a = probed.TrainStep(x, y, 0.1, new ProbeSettings { ConvKernel = kernel });
            StepResult b = plain.TrainStep(x, y, 0.1);
            IReadOnlyList<StateTensor> ga = probed.GetState(StateSet.Optimiser), gb = plain.GetState(StateSet.Optimiser);
            Assert.Multiple(() =>
            {
                Assert.That(a.Probe!.Status, Is.EqualTo(ProbeStatus.Ok));
                Assert.That(a.Probe.FusedLayers, Is.EqualTo(ConvLayers(probed)));
                Assert.That(a.Loss, Is.EqualTo(b.Loss));
                Assert.That(ga.Select(t => t.Name), Is.EqualTo(gb.Select(t => t.Name)));
                for (int t = 0; t < ga.Count; t++)
                {
                    // Per parameter tensor: max |g_probed - g_plain| / max |g_plain|.
                    float[] va = Floats(ga[t]), vb = Floats(gb[t]);
                    double diff = va.Zip(vb, (u, v) => Math.Abs((double)u - v)).Max();
                    double scale = vb.Max(v => Math.Abs((double)v));
                    Assert.That(diff, Is.LessThanOrEqualTo(1e-5 * scale), ga[t].Name);
                }
            });
        }
    }

    private static float[] Floats(StateTensor t)
    {
        var values = new float[t.Data.Length / sizeof(float)];
        Buffer.BlockCopy(t.Data, 0, values, 0, t.Data.Length);
        return values;
    }
}
