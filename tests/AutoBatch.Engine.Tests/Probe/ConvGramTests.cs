using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// One conv layer's Gram by every path and per-sample kernel (ghost; materialised by unfold, by a grouped
/// convolution or by the engine's direct AVX-512 kernel; in one chunk, in scratch-capped chunks, and in recomputed
/// block pairs) against per-sample gradients written out here from the definition g_i = Σ_t δ_it a_itᵀ
/// (docs/DESIGN.md).
/// </summary>
public sealed class ConvGramTests
{
    // in, out, kernel h x w, stride, padding, dilation, bias; input h x w; batch.
    private static readonly object[] Geometries =
    [
        new object[] { 3, 5, 3, 3, 1, 1, 1, false, 9, 7, 5 },    // stride 1, odd sizes, channels that divide nothing
        new object[] { 3, 5, 3, 3, 2, 1, 1, true, 9, 7, 5 },     // stride 2 over odd sizes, with bias
        new object[] { 2, 3, 5, 3, 2, 2, 1, false, 11, 10, 4 },  // non-square kernel, padding 2
        new object[] { 4, 6, 3, 3, 1, 0, 2, true, 10, 9, 3 },    // dilation 2, no padding
        new object[] { 1, 16, 3, 3, 1, 1, 1, false, 28, 28, 6 }, // the ResNet stem
        new object[] { 16, 32, 3, 3, 2, 1, 1, false, 14, 14, 4 }, // a strided ResNet conv
        new object[] { 7, 2, 1, 1, 1, 0, 1, true, 5, 6, 7 },     // 1x1 kernel
        // The direct kernel's edges: a kernel row of kw C = 60 values (tiles of 48 and 12) and 13 output channels
        // (tiles of 8 and 5); kw C = 18 with stride and padding 2 on a non-square kernel; ResNet-8's 7 x 7 layer.
        new object[] { 20, 13, 3, 3, 1, 1, 1, true, 6, 5, 3 },
        new object[] { 6, 9, 5, 3, 2, 2, 1, false, 11, 9, 4 },
        new object[] { 64, 64, 3, 3, 1, 1, 1, false, 7, 7, 3 },
    ];

    // The direct kernel needs AVX-512F; elsewhere auto is the grouped kernel and direct is refused.
    private static ConvKernel[] MaterialisingKernels =>
        GramKernelTests.Avx512Runs() ? [ConvKernel.Unfold, ConvKernel.Grouped, ConvKernel.Direct] : [ConvKernel.Unfold, ConvKernel.Grouped];

    private static float[] Normal(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 2.0)).ToArray();
    }

    private static double[] ReferenceGram(ConvGeometry c, float[] x, float[] d, int batch, int h, int w)
    {
        int ho = c.OutputExtent(h, c.KernelH), wo = c.OutputExtent(w, c.KernelW);
        int p = (c.OutChannels * c.InChannels * c.KernelH * c.KernelW) + (c.HasBias ? c.OutChannels : 0);
        var g = new double[batch, p];
        for (int i = 0; i < batch; i++)
        {
            for (int o = 0; o < c.OutChannels; o++)
            {
                for (int ci = 0; ci < c.InChannels; ci++)
                {
                    for (int kh = 0; kh < c.KernelH; kh++)
                    {
                        for (int kw = 0; kw < c.KernelW; kw++)
                        {
                            double sum = 0;
                            for (int y = 0; y < ho; y++)
                            {
                                int iy = (y * c.Stride) + (kh * c.Dilation) - c.Padding;
                                for (int xo = 0; xo < wo; xo++)
                                {
                                    int ix = (xo * c.Stride) + (kw * c.Dilation) - c.Padding;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                    {
                                        continue;
                                    }

                                    sum += (double)d[(((i * c.OutChannels) + o) * ho + y) * wo + xo] * x[(((i * c.InChannels) + ci) * h + iy) * w + ix];
                                }
                            }

                            g[i, (((o * c.InChannels) + ci) * c.KernelH + kh) * c.KernelW + kw] = sum;
                        }
                    }
                }

                if (c.HasBias)
                {
                    double bias = 0;
                    for (int t = 0; t < ho * wo; t++)
                    {
                        bias += d[(((i * c.OutChannels) + o) * ho * wo) + t];
                    }

                    g[i, (c.OutChannels * c.InChannels * c.KernelH * c.KernelW) + o] = bias;
                }
            }
        }

        var gram = new double[batch * batch];
        for (int a = 0; a < batch; a++)
        {
            for (int b = 0; b < batch; b++)
            {
                double sum = 0;
                for (int k = 0; k < p; k++)
                {
                    sum += g[a, k] * g[b, k];
                }

                gram[(a * batch) + b] = sum;
            }
        }

        return gram;
    }

    private static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / scale;
    }

    [TestCaseSource(nameof(Geometries))]
    public void EveryPathAndKernelMatchesPerSampleGradientsFromTheDefinition(
        int cin, int cout, int kh, int kw, int stride, int padding, int dilation, bool bias, int h, int w, int batch)
    {
        var conv = new ConvGeometry(cin, cout, kh, kw, stride, padding, dilation, bias);
        int ho = conv.OutputExtent(h, kh), wo = conv.OutputExtent(w, kw);
        float[] x = Normal(batch * cin * h * w, 11);
        float[] d = Normal(batch * cout * ho * wo, 12);
        double[] expected = ReferenceGram(conv, x, d, batch, h, w);
        long p = ((long)cout * cin * kh * kw) + (bias ? cout : 0);
        // The B x p float32 rows fit under the cap, the kernels' scratch for all samples does not: rows built once in chunks.
        long rowsOnly = Math.Max(1024, batch * p * 8);
        // Rows alone exceed the cap: block pairs with rows recomputed.
        const long Tiny = 1024;

        double[] Gram(GramMode mode, ConvKernel kernel, long cap = 256L << 20) =>
            ConvLayerGram.Compute(conv, x, batch, h, w, d, new ProbeSettings { Mode = mode, ConvKernel = kernel, MemoryCapBytes = cap });

        double[] unfold = Gram(GramMode.Materialise, ConvKernel.Unfold);
        double[] grouped = Gram(GramMode.Materialise, ConvKernel.Grouped);
        Assert.Multiple(() =>
        {
            Assert.That(expected.Max(Math.Abs), Is.GreaterThan(0));
            Assert.That(MaxRelativeError(unfold, expected), Is.LessThanOrEqualTo(1e-6), "unfold");
            Assert.That(MaxRelativeError(grouped, expected), Is.LessThanOrEqualTo(1e-6), "grouped");
            Assert.That(MaxRelativeError(grouped, unfold), Is.LessThanOrEqualTo(1e-6), "grouped vs unfold");
            Assert.That(MaxRelativeError(Gram(GramMode.Materialise, ConvKernel.Auto), expected), Is.LessThanOrEqualTo(1e-6), "auto kernel");
            Assert.That(MaxRelativeError(Gram(GramMode.Ghost, ConvKernel.Auto), expected), Is.LessThanOrEqualTo(1e-6), "ghost");
            Assert.That(MaxRelativeError(Gram(GramMode.Ghost, ConvKernel.Auto, Tiny), expected), Is.LessThanOrEqualTo(1e-6), "ghost, blocks");
            Assert.That(MaxRelativeError(Gram(GramMode.Auto, ConvKernel.Auto), expected), Is.LessThanOrEqualTo(1e-6), "auto path");
            foreach (ConvKernel kernel in MaterialisingKernels)
            {
                Assert.That(MaxRelativeError(Gram(GramMode.Materialise, kernel), expected), Is.LessThanOrEqualTo(1e-6), $"{kernel}");
                Assert.That(MaxRelativeError(Gram(GramMode.Materialise, kernel, rowsOnly), expected), Is.LessThanOrEqualTo(1e-6), $"{kernel}, rows in chunks");
                Assert.That(MaxRelativeError(Gram(GramMode.Materialise, kernel, Tiny), expected), Is.LessThanOrEqualTo(1e-6), $"{kernel}, block pairs");
            }
        });
    }

    [Test]
    public void GramIsExactlySymmetric()
    {
        // The symmetric product (BLAS dsyrk) fills one triangle; the probe mirrors it.
        var conv = new ConvGeometry(3, 4, 3, 3, 1, 1);
        float[] x = Normal(6 * 3 * 8 * 8, 5);
        float[] d = Normal(6 * 4 * 8 * 8, 6);
        double[] g = ConvLayerGram.Compute(conv, x, 6, 8, 8, d, new ProbeSettings { Mode = GramMode.Materialise });
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
            {
                Assert.That(g[(i * 6) + j], Is.EqualTo(g[(j * 6) + i]));
            }
        }
    }

    [Test]
    public void MismatchedDeltaIsAClearError()
    {
        var conv = new ConvGeometry(2, 3, 3, 3, 2, 1);
        float[] x = Normal(2 * 2 * 7 * 7, 1);
        float[] d = Normal(2 * 3 * 7 * 7, 2);  // the output is 4x4, not 7x7
        Assert.That(() => ConvLayerGram.Compute(conv, x, 2, 7, 7, d, new ProbeSettings()),
            Throws.ArgumentException.With.Message.Contains("delta holds 294 values, the output has 96"));
    }

    [Test]
    public void UndefinedConvKernelIsRejectedByName()
    {
        var settings = new ProbeSettings { ConvKernel = (ConvKernel)7 };
        Assert.That(settings.Validate, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ConvKernel"));
    }
}
