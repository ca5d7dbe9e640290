using AutoBatch.Engine.Kernels;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>DirectConvRows against a per-sample float64 loop of the convolution's weight gradient.</summary>
public sealed partial class KernelTests
{
    // (C, H, W, O, kh, kw, stride h, stride w, pad h, pad w): 3x3 with padding (channels-last path, kw C >= 16), 3x3
    // stride 2 (im2col path, kw C < 16), 1x1 stride 2 and stride 1 (more than 8 output channels: two channel tiles),
    // the one-channel stem, and a rectangular kernel with unequal strides and padding.
    private static readonly object[] s_convolutions =
    [
        new long[] { 16, 8, 8, 8, 3, 3, 1, 1, 1, 1 },
        new long[] { 5, 9, 9, 3, 3, 3, 2, 2, 1, 1 },
        new long[] { 20, 7, 7, 10, 1, 1, 2, 2, 0, 0 },
        new long[] { 3, 6, 5, 17, 1, 1, 1, 1, 0, 0 },
        new long[] { 1, 10, 10, 4, 3, 3, 1, 1, 0, 0 },
        new long[] { 7, 10, 6, 9, 3, 2, 2, 1, 1, 0 },
        new long[] { 40, 6, 6, 12, 3, 3, 1, 1, 1, 1 },
    ];

    [TestCaseSource(nameof(s_convolutions))]
    public void DirectConvRows_ArePerSampleWeightGradients(long[] geometry)
    {
        DirectConvShape shape = Shape(geometry);
        const long n = 3;
        long row = shape.OutChannels * shape.KernelHeight * shape.KernelWidth * shape.Channels;
        long ld = row + 5;  // room for a bias, say, which the kernel must leave alone
        var random = new Random((int)row);
        float[] x = RandomFloats(random, n * shape.Channels * shape.Height * shape.Width);
        float[] delta = RandomFloats(random, n * shape.OutChannels * shape.OutHeight * shape.OutWidth);
        if (!ProbeKernels.Avx512Available)
        {
            Assert.Throws<InvalidOperationException>(() => ConvRows(shape, x, delta, n, ld, threads: 1));
            return;
        }

        float[] rows = ConvRows(shape, x, delta, n, ld, threads: 1);
        long positions = shape.OutHeight * shape.OutWidth;
        for (long i = 0; i < n; i++)
        {
            for (long o = 0; o < shape.OutChannels; o++)
            {
                for (long ky = 0; ky < shape.KernelHeight; ky++)
                {
                    for (long kx = 0; kx < shape.KernelWidth; kx++)
                    {
                        for (long c = 0; c < shape.Channels; c++)
                        {
                            (double gradient, double magnitude) = WeightGradient(shape, x, delta, i, o, c, ky, kx);
                            long column = ((o * shape.KernelHeight + ky) * shape.KernelWidth + kx) * shape.Channels + c;
                            // Float32 sums of `positions` products: within positions eps32 of the sum of their magnitudes.
                            Assert.That(rows[i * ld + column], Is.EqualTo(gradient).Within(positions * 1.2e-7 * magnitude + 1e-30), $"sample {i} (o {o}, ky {ky}, kx {kx}, c {c})");
                        }
                    }
                }
            }

            for (long t = row; t < ld; t++)
            {
                Assert.That(rows[i * ld + t], Is.EqualTo((float)Sentinel), $"sample {i}: column {t} past the gradients was written");
            }
        }
    }

    [Test]
    public void DirectConvRows_OneAndTwoThreads_GiveTheSameBits()
    {
        if (!ProbeKernels.Avx512Available)
        {
            Assert.Ignore("no AVX-512F on this CPU");
        }

        // 16 x 8 x 8 -> 16 x 8 x 8 with a 3x3 kernel: ~2^20 multiply-adds per sample, so 32 samples go to two threads.
        DirectConvShape shape = Shape([16, 8, 8, 16, 3, 3, 1, 1, 1, 1]);
        const long n = 32;
        long ld = 16 * 9 * 16;
        var random = new Random(5);
        float[] x = RandomFloats(random, n * 16 * 64);
        float[] delta = RandomFloats(random, n * 16 * 64);
        Assert.That(Bits(ConvRows(shape, x, delta, n, ld, threads: 2)), Is.EqualTo(Bits(ConvRows(shape, x, delta, n, ld, threads: 1))));
    }

    private static DirectConvShape Shape(long[] g)
    {
        (long c, long h, long w, long o, long kh, long kw, long sh, long sw, long ph, long pw) = (g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9]);
        return new DirectConvShape(c, h, w, o, (h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1, kh, kw, sh, sw, ph, pw);
    }

    /// <summary>dL/dW[o, c, ky, kx] of sample i: Σ over output positions of δ[o, y, x] · x[c, sh y + ky − ph, sw x + kx − pw].</summary>
    private static (double Gradient, double Magnitude) WeightGradient(DirectConvShape s, float[] x, float[] delta, long i, long o, long c, long ky, long kx)
    {
        double sum = 0, magnitude = 0;
        for (long y = 0; y < s.OutHeight; y++)
        {
            for (long xo = 0; xo < s.OutWidth; xo++)
            {
                long iy = s.StrideHeight * y + ky - s.PadHeight, ix = s.StrideWidth * xo + kx - s.PadWidth;
                if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width)
                {
                    continue;
                }

                double term = (double)delta[((i * s.OutChannels + o) * s.OutHeight + y) * s.OutWidth + xo] * x[((i * s.Channels + c) * s.Height + iy) * s.Width + ix];
                sum += term;
                magnitude += Math.Abs(term);
            }
        }

        return (sum, magnitude);
    }

    private static unsafe float[] ConvRows(DirectConvShape shape, float[] x, float[] delta, long n, long ld, int threads)
    {
        float[] rows = Enumerable.Repeat((float)Sentinel, (int)(n * ld)).ToArray();
        fixed (float* px = x, pd = delta, pr = rows)
        {
            ProbeKernels.DirectConvRows(shape, px, pd, n, pr, ld, threads);
        }

        return rows;
    }
}
