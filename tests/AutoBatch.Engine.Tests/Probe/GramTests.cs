using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>F̃ from the probe against independent computations (docs/DESIGN.md, 'The measures').</summary>
public sealed class GramTests
{
    private static readonly ProbeSettings Default = new();

    private static (Network Net, float[] X, long[] Y) Setup(string model, int batch, ulong seed = 3, bool warm = true)
    {
        var spec = ModelSpec.Parse(model, TestBatches.Mnist, 10);
        var net = Network.Create(spec, SgdSettings.Paper, seed: 1);
        (float[] x, long[] y) = TestBatches.Random(spec.Input, batch, 10, seed);
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

    /// <summary>F̃ from a per-sample backward loop: float64 dot products of the float32 per-sample gradients.</summary>
    internal static double[] BruteForceGram(Network net, float[] x, long[] y, int batch, bool trainMode)
    {
        float[] j = net.PerSampleGradients(x, y, trainMode);
        long p = net.ParameterCount;
        var gram = new double[batch * batch];
        for (int a = 0; a < batch; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                double sum = 0;
                for (long k = 0; k < p; k++)
                {
                    sum += (double)j[a * p + k] * j[b * p + k];
                }

                gram[a * batch + b] = gram[b * batch + a] = sum;
            }
        }

        return gram;
    }

    private static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / scale;
    }

    [TestCase("mlp", 16)]
    [TestCase("resnet8", 8)]
    [TestCase("densenet8", 8)]
    public void GramMatchesABruteForcePerSampleLoopInEvalMode(string model, int batch)
    {
        (Network net, float[] x, long[] y) = Setup(model, batch);
        using (net)
        {
            var gram = new double[batch * batch];
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: false, Default, gram);
            double[] expected = BruteForceGram(net, x, y, batch, trainMode: false);
            Assert.Multiple(() =>
            {
                Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
                Assert.That(MaxRelativeError(gram, expected), Is.LessThanOrEqualTo(1e-5));
                Assert.That(r.Trace, Is.EqualTo(Enumerable.Range(0, batch).Sum(i => expected[i * batch + i])).Within(1e-3).Percent);
            });
        }
    }

    [TestCase("resnet8", ConvKernel.Unfold)]
    [TestCase("resnet8", ConvKernel.Grouped)]
    [TestCase("densenet8", ConvKernel.Unfold)]
    [TestCase("densenet8", ConvKernel.Grouped)]
    public void EachConvKernelMatchesABruteForcePerSampleLoop(string model, ConvKernel kernel)
    {
        const int Batch = 8;
        (Network net, float[] x, long[] y) = Setup(model, Batch);
        using (net)
        {
            var gram = new double[Batch * Batch];
            var settings = new ProbeSettings { Mode = GramMode.Materialise, ConvKernel = kernel };
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: false, settings, gram);
            double[] expected = BruteForceGram(net, x, y, Batch, trainMode: false);
            Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
            Assert.That(MaxRelativeError(gram, expected), Is.LessThanOrEqualTo(1e-5));
        }
    }

    [TestCase("resnet8", 8)]
    [TestCase("densenet8", 6)]
    [TestCase("mlp", 12)]
    public void PathWiseGradientsSumToBTimesTheBatchGradientPerLayer(string model, int batch)
    {
        // BN in training mode couples samples; the path-wise g_i satisfy Σ_i g_i = B ∇L exactly, so per layer
        // 1ᵀF̃_layer1 = |Σ_i g_i|² = B²|∇_layer L|². The batch gradient comes from an ordinary backward.
        (Network net, float[] x, long[] y) = Setup(model, batch);
        using (net)
        {
            ProbeReading r = net.Probe(x, y, 0.1, trainMode: true, Default);
            float[] g = net.BatchGradient(x, y, trainMode: true);
            Dictionary<string, double> layerNorms = LayerGradientNorms(net, g);
            for (int i = 0; i < net.ProbeLayerNames.Count; i++)
            {
                string layer = net.ProbeLayerNames[i];
                double expected = (double)batch * batch * layerNorms[layer];
                Assert.That(r.LayerGradientSums![i], Is.EqualTo(expected).Within(1e-3).Percent, layer);
            }

            Assert.That(r.MeanGradientSquaredNorm, Is.EqualTo(layerNorms.Values.Sum()).Within(1e-3).Percent);
        }
    }

    [TestCase("resnet8", 12, true)]
    [TestCase("resnet8", 12, false)]
    [TestCase("densenet8", 6, true)]
    public void BatchNormsAvx512AndPortableSumsAgree(string model, int batch, bool trainMode)
    {
        // BatchNorm's per-sample sums run in AVX-512 code, or in portable code when the BLAS Gram kernel is asked for.
        // Both add the same products in the same lanes and order (the same bits); the BatchNorm layers' traces and sums
        // then differ only by the two Gram kernels' summation orders over 2C columns, ~1e-16. A wrong lane or a wrong
        // tail (ResNet-8's maps have 784, 196 and 49 positions: no tail, 4 and 1 left over) shows far above 1e-12.
        Assume.That(GramKernelTests.Avx512Runs(), "this CPU has no AVX-512F");
        (Network net, float[] x, long[] y) = Setup(model, batch);
        using (net)
        {
            ProbeReading avx = net.Probe(x, y, 0.1, trainMode, new ProbeSettings { GramKernel = GramKernel.Avx512 });
            ProbeReading portable = net.Probe(x, y, 0.1, trainMode, new ProbeSettings { GramKernel = GramKernel.Blas });
            int[] norms = net.ProbeLayerNames.Select((name, i) => (name, i))
                .Where(l => l.name.Split('.')[^1].StartsWith("bn", StringComparison.Ordinal) || l.name.Contains("norm", StringComparison.Ordinal))
                .Select(l => l.i).ToArray();
            Assert.That(norms, Is.Not.Empty);
            Assert.Multiple(() =>
            {
                foreach (int i in norms)
                {
                    string layer = net.ProbeLayerNames[i];
                    Assert.That(portable.LayerTraces![i], Is.EqualTo(avx.LayerTraces![i]).Within(1e-12 * avx.LayerTraces[i]), layer);
                    double sum = avx.LayerGradientSums![i];
                    Assert.That(portable.LayerGradientSums![i], Is.EqualTo(sum).Within(1e-12 * Math.Abs(sum) + 1e-300), layer);
                }
            });
        }
    }

    /// <summary>
    /// A synchronous probe shares its large parts with libtorch's intra-op threads: Gram products, the linear ghost
    /// path's combining pass, the accumulation into F̃, the symmetrisation (all from B ≈ 256 up) and BatchNorm's
    /// per-sample reductions (from a few samples). On two threads, F̃ must still match the per-sample loop, equal the
    /// one-thread F̃ bit for bit where the step's own kernels do not depend on the threads (the MLP: its products are
    /// OpenBLAS's, on one thread either way), and BatchNorm's path-wise gradients must still sum to B ∇L.
    /// </summary>
    [Test]
    public void TheThreadedPartsOfASynchronousProbeMatchIndependentComputations()
    {
        const int Batch = 512;
        using EngineThreads kept = EngineThreads.Keep();
        (Network net, float[] x, long[] y) = Setup("mlp:32", Batch);
        using (net)
        {
            var serial = new double[Batch * Batch];
            var shared = new double[Batch * Batch];
            EngineRuntime.SetThreads(1);
            ProbeReading one = net.Probe(x, y, 0.1, trainMode: true, Default, serial);
            EngineRuntime.SetThreads(2);
            ProbeReading two = net.Probe(x, y, 0.1, trainMode: true, Default, shared);
            double[] expected = BruteForceGram(net, x, y, Batch, trainMode: true);
            Assert.Multiple(() =>
            {
                Assert.That(two.Status, Is.EqualTo(ProbeStatus.Ok));
                Assert.That(MaxRelativeError(shared, expected), Is.LessThanOrEqualTo(1e-5));
                Assert.That(shared, Is.EqualTo(serial), "F̃ on 2 threads vs 1");
                Assert.That(two.LayerTraces, Is.EqualTo(one.LayerTraces));
                Assert.That(two.LayerGradientSums, Is.EqualTo(one.LayerGradientSums));
                Assert.That(two.StepCondition, Is.EqualTo(one.StepCondition));
                Assert.That(two.Rank, Is.EqualTo(one.Rank));
            });
        }

        const int BnBatch = 16;
        (Network bn, float[] bx, long[] by) = Setup("resnet8", BnBatch);
        using (bn)
        {
            EngineRuntime.SetThreads(2);
            ProbeReading r = bn.Probe(bx, by, 0.1, trainMode: true, Default);
            Dictionary<string, double> layerNorms = LayerGradientNorms(bn, bn.BatchGradient(bx, by, trainMode: true));
            Assert.Multiple(() =>
            {
                for (int i = 0; i < bn.ProbeLayerNames.Count; i++)
                {
                    string layer = bn.ProbeLayerNames[i];
                    Assert.That(r.LayerGradientSums![i], Is.EqualTo((double)BnBatch * BnBatch * layerNorms[layer]).Within(1e-3).Percent, layer);
                }
            });
        }
    }

    [TestCase("mlp", 8)]
    [TestCase("resnet8", 4)]
    [TestCase("densenet8", 4)]
    public void GhostAndMaterialiseAgreeAndChunkingChangesNothing(string model, int batch)
    {
        (Network net, float[] x, long[] y) = Setup(model, batch);
        using (net)
        {
            double[] Gram(ProbeSettings s)
            {
                var g = new double[batch * batch];
                net.Probe(x, y, 0.1, trainMode: true, s, g);
                return g;
            }

            double[] ghost = Gram(new ProbeSettings { Mode = GramMode.Ghost });
            double[] materialised = Gram(new ProbeSettings { Mode = GramMode.Materialise, ConvKernel = ConvKernel.Unfold });
            double[] chunked = Gram(new ProbeSettings { Mode = GramMode.Materialise, ConvKernel = ConvKernel.Unfold, MemoryCapBytes = 4096 });
            double[] grouped = Gram(new ProbeSettings { Mode = GramMode.Materialise, ConvKernel = ConvKernel.Grouped });
            double[] groupedChunked = Gram(new ProbeSettings { Mode = GramMode.Materialise, ConvKernel = ConvKernel.Grouped, MemoryCapBytes = 4096 });
            double[] ghostChunked = Gram(new ProbeSettings { Mode = GramMode.Ghost, MemoryCapBytes = 4096 });
            double[] auto = Gram(Default);
            // The Gram product itself by BLAS dsyrk instead of the default (the AVX-512 kernel on CPUs that have it):
            // the same float32 rows, so only the float64 summation order differs.
            double[] blasAuto = Gram(Default with { GramKernel = GramKernel.Blas });
            double[] blasGhost = Gram(new ProbeSettings { Mode = GramMode.Ghost, GramKernel = GramKernel.Blas });
            Assert.Multiple(() =>
            {
                Assert.That(MaxRelativeError(blasAuto, auto), Is.LessThanOrEqualTo(1e-12), "BLAS kernel, auto path");
                Assert.That(MaxRelativeError(blasGhost, ghost), Is.LessThanOrEqualTo(1e-12), "BLAS kernel, ghost path");
                Assert.That(MaxRelativeError(ghost, materialised), Is.LessThanOrEqualTo(1e-6));
                // im2col + bmm computes each sample's gradient the same way whatever the chunk: bit-for-bit rows.
                Assert.That(MaxRelativeError(chunked, materialised), Is.LessThanOrEqualTo(1e-9));
                Assert.That(MaxRelativeError(ghostChunked, ghost), Is.LessThanOrEqualTo(1e-9));
                // The grouped kernel's float32 summation order depends on the number of groups (samples per chunk),
                // so chunks change the rows' rounding (about 1e-8 here), not their values.
                Assert.That(MaxRelativeError(grouped, materialised), Is.LessThanOrEqualTo(1e-6));
                Assert.That(MaxRelativeError(groupedChunked, grouped), Is.LessThanOrEqualTo(1e-6));
                Assert.That(MaxRelativeError(auto, materialised), Is.LessThanOrEqualTo(1e-6));
            });
        }
    }

    [Test]
    public void ProbeLeavesTheNetworkUnchanged()
    {
        (Network net, float[] x, long[] y) = Setup("resnet8", 4);
        using (net)
        {
            byte[][] before = net.GetState().Select(t => t.Data).ToArray();
            net.Probe(x, y, 0.1, trainMode: true, Default);
            Assert.That(net.GetState().Select(t => t.Data), Is.EqualTo(before));
        }
    }

    [Test]
    public void PostHocProbedStepEqualsPlainStep()
    {
        // The post-hoc probe only reads captured tensors: the update must be bit-identical with and without it. (The
        // unfold kernel keeps the conv layers off the fused path, whose update differs in rounding: FusedConvTests.)
        (Network a, float[] x, long[] y) = Setup("resnet8", 6, warm: false);
        (Network b, _, _) = Setup("resnet8", 6, warm: false);
        using (a)
        using (b)
        {
            StepResult probed = a.TrainStep(x, y, 0.1, new ProbeSettings { ConvKernel = ConvKernel.Unfold });
            StepResult plain = b.TrainStep(x, y, 0.1);
            Assert.Multiple(() =>
            {
                Assert.That(probed.Loss, Is.EqualTo(plain.Loss));
                Assert.That(a.GetState().Select(t => t.Data), Is.EqualTo(b.GetState().Select(t => t.Data)));
                Assert.That(probed.Probe!.Status, Is.EqualTo(ProbeStatus.Ok));
                Assert.That(probed.Probe.FusedLayers, Is.Zero);
            });
        }
    }

    [Test]
    public void MeasuresFollowTheirDefinitions()
    {
        (Network net, float[] x, long[] y) = Setup("mlp", 16);
        using (net)
        {
            var gram = new double[16 * 16];
            ProbeReading r = net.Probe(x, y, 0.2, trainMode: true, Default, gram);
            double sum = gram.Sum();
            double meanSq = sum / (16.0 * 16.0);
            double varTrace = (r.Trace - 16 * meanSq) / 15;
            Assert.Multiple(() =>
            {
                Assert.That(r.Eigenvalues!.Sum(), Is.EqualTo(r.Trace).Within(1e-9).Percent);
                Assert.That(r.StepCondition, Is.EqualTo(Math.Sqrt(r.LambdaMax / r.LambdaMinPositive)).Within(1e-12).Percent);
                Assert.That(r.StepEnergy, Is.EqualTo(0.2 / 16 * Math.Sqrt(r.Trace)).Within(1e-12).Percent);
                Assert.That(r.MeanGradientSquaredNorm, Is.EqualTo(meanSq).Within(1e-9).Percent);
                Assert.That(r.VarianceTrace, Is.EqualTo(varTrace).Within(1e-9).Percent);
                Assert.That(r.NoiseScale, Is.EqualTo(varTrace / meanSq).Within(1e-9).Percent);
                Assert.That(r.LayerTraces!.Sum(), Is.EqualTo(r.Trace).Within(1e-9).Percent);
                Assert.That(r.Rank, Is.InRange(1, 16));
            });
        }
    }

    private static Dictionary<string, double> LayerGradientNorms(Network net, float[] gradient)
    {
        // Parameters are laid out in state order; a probed layer owns the parameters under its name.
        var norms = net.ProbeLayerNames.ToDictionary(n => n, _ => 0.0);
        long offset = 0;
        foreach (StateTensor t in net.GetState())
        {
            if (t.Name.EndsWith(".running_mean", StringComparison.Ordinal) || t.Name.EndsWith(".running_var", StringComparison.Ordinal) || t.DType != StateDType.Float32)
            {
                continue;
            }

            string layer = t.Name[..t.Name.LastIndexOf('.')];
            double sq = 0;
            for (long k = 0; k < t.ElementCount; k++)
            {
                sq += (double)gradient[offset + k] * gradient[offset + k];
            }

            norms[layer] += sq;
            offset += t.ElementCount;
        }

        Assert.That(offset, Is.EqualTo(net.ParameterCount));
        return norms;
    }
}
