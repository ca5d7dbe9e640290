using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>BatchNormSums: the AVX-512 and portable code bit for bit, and both against float64 loops.</summary>
public sealed partial class KernelTests
{
    // Positions below, at and past the eight lanes, with and without a masked tail.
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(9)]
    [TestCase(64)]
    [TestCase(100)]
    public void BatchNormSums_AreTheShiftedSums_SameBitsFromEveryKernel(int positions)
    {
        const long n = 6, channels = 5;
        var random = new Random(positions);
        float[] x = RandomFloats(random, n * channels * positions, 3f).Select(v => v + 1.5f).ToArray();
        float[] delta = RandomFloats(random, n * channels * positions);
        double[] shift = RandomDoubles(random, channels);
        double[][] portable = BnSums(x, delta, n, channels, positions, shift, GramKernel.Blas, threads: 1);
        for (long i = 0; i < n; i++)
        {
            for (long c = 0; c < channels; c++)
            {
                double k = shift[c];
                double sx = 0, sxx = 0, sdx = 0, sd = 0, ax = 0, axx = 0, adx = 0, ad = 0;
                for (long t = 0; t < positions; t++)
                {
                    double centred = x[(i * channels + c) * positions + t] - k;
                    double d = delta[(i * channels + c) * positions + t];
                    sx += centred;
                    sxx += centred * centred;
                    sdx += d * centred;
                    sd += d;
                    ax += Math.Abs(centred);
                    axx += centred * centred;
                    adx += Math.Abs(d * centred);
                    ad += Math.Abs(d);
                }

                long e = i * channels + c;
                const double Tolerance = 1e-14;
                Assert.That(portable[0][e], Is.EqualTo(sx).Within(Tolerance * ax), $"sum x ({i}, {c})");
                Assert.That(portable[1][e], Is.EqualTo(sxx).Within(Tolerance * axx), $"sum xx ({i}, {c})");
                Assert.That(portable[2][e], Is.EqualTo(sdx).Within(Tolerance * adx), $"sum dx ({i}, {c})");
                Assert.That(portable[3][e], Is.EqualTo(sd).Within(Tolerance * ad), $"sum d ({i}, {c})");
            }
        }

        foreach (GramKernel kernel in Kernels())
        {
            double[][] sums = BnSums(x, delta, n, channels, positions, shift, kernel, threads: 1);
            for (int s = 0; s < 4; s++)
            {
                Assert.That(Bits(sums[s]), Is.EqualTo(Bits(portable[s])), $"{kernel}: output {s}");
            }
        }
    }

    [Test]
    public void BatchNormSums_OneAndTwoThreads_GiveTheSameBits([Values(GramKernel.Auto, GramKernel.Blas)] GramKernel kernel)
    {
        // 8 channels x 1024 positions per sample: ranges of at least 5 samples, so 16 samples go to two threads.
        const long n = 16, channels = 8, positions = 1024;
        var random = new Random(9);
        float[] x = RandomFloats(random, n * channels * positions);
        float[] delta = RandomFloats(random, n * channels * positions);
        double[] shift = RandomDoubles(random, channels);
        double[][] one = BnSums(x, delta, n, channels, positions, shift, kernel, threads: 1);
        double[][] two = BnSums(x, delta, n, channels, positions, shift, kernel, threads: 2);
        for (int s = 0; s < 4; s++)
        {
            Assert.That(Bits(two[s]), Is.EqualTo(Bits(one[s])), $"output {s}");
        }
    }

    private static unsafe double[][] BnSums(float[] x, float[] delta, long n, long channels, long positions, double[] shift, GramKernel kernel, int threads)
    {
        double[][] sums = [new double[n * channels], new double[n * channels], new double[n * channels], new double[n * channels]];
        fixed (float* px = x, pd = delta)
        fixed (double* k = shift, s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3])
        {
            ProbeKernels.BatchNormSums(px, pd, n, channels, positions, k, kernel, threads, s0, s1, s2, s3);
        }

        return sums;
    }
}
