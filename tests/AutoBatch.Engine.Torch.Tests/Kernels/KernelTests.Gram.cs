using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>RowGram and MirrorLower against float64 loops written here.</summary>
public sealed partial class KernelTests
{
    // (n, k, ld): single row and column, n not a multiple of 8 (the AVX-512 kernel's padded buffer), several column
    // blocks of 128 with a ragged end, rows apart by more than k, and a product large enough to be shared by threads.
    private static readonly object[] s_shapes =
    [
        new long[] { 1, 1, 1 },
        new long[] { 5, 3, 7 },
        new long[] { 8, 16, 16 },
        new long[] { 13, 200, 203 },
        new long[] { 37, 1000, 1001 },
        new long[] { 96, 515, 515 },
    ];

    [TestCaseSource(nameof(s_shapes))]
    public void RowGram_Float32_IsTheFloat64DotProducts_EveryKernel(long[] shape)
    {
        (long n, long k, long ld) = (shape[0], shape[1], shape[2]);
        float[] rows = StridedRows(new Random((int)(n * 31 + k)), n, k, ld);
        double[] expected = ReferenceGram(rows, n, k, ld);
        foreach (GramKernel kernel in Kernels())
        {
            foreach (bool lowerOnly in new[] { false, true })
            {
                double[] gram = Gram(rows, n, k, ld, kernel, threads: 2, lowerOnly);
                AssertGram(gram, expected, n, RowNorms(rows, n, k, ld), lowerOnly, $"{kernel}, lowerOnly {lowerOnly}");
            }
        }
    }

    [TestCaseSource(nameof(s_shapes))]
    public void RowGram_Float64_IsTheFloat64DotProducts_EveryKernel(long[] shape)
    {
        (long n, long k, long ld) = (shape[0], shape[1], shape[2]);
        double[] rows = StridedRows(new Random((int)(n * 17 + k)), n, k, ld).Select(v => v * (1 + 1e-9 * v)).ToArray();
        double[] expected = ReferenceGram(rows, n, k, ld);
        foreach (GramKernel kernel in Kernels())
        {
            foreach (bool lowerOnly in new[] { false, true })
            {
                double[] gram = Gram(rows, n, k, ld, kernel, threads: 2, lowerOnly);
                AssertGram(gram, expected, n, RowNorms(rows, n, k, ld), lowerOnly, $"{kernel}, lowerOnly {lowerOnly}");
            }
        }
    }

    [Test]
    public void RowGram_OneAndTwoThreads_GiveTheSameBits([Values(GramKernel.Auto, GramKernel.Blas)] GramKernel kernel, [Values] bool lowerOnly)
    {
        // 96 x 96 x 2000 is past the kernel's 2^22 threshold for sharing a product between threads.
        const long n = 96, k = 2000, ld = 2003;
        float[] rows = StridedRows(new Random(3), n, k, ld);
        double[] one = Gram(rows, n, k, ld, kernel, threads: 1, lowerOnly);
        double[] two = Gram(rows, n, k, ld, kernel, threads: 2, lowerOnly);
        Assert.That(Bits(two), Is.EqualTo(Bits(one)));
    }

    [Test]
    public void RowGram_Avx512AndBlas_AgreeWithin1e12Relative()
    {
        if (!ProbeKernels.Avx512Available)
        {
            Assert.Ignore("no AVX-512F on this CPU");
        }

        const long n = 64, k = 20000, ld = 20000;
        // Rows with a common offset: entries far from zero, so that a relative comparison is a strict one.
        float[] rows = RandomFloats(new Random(11), n * ld).Select(v => v + 0.5f).ToArray();
        double[] avx = Gram(rows, n, k, ld, GramKernel.Avx512, threads: 2, lowerOnly: false);
        double[] blas = Gram(rows, n, k, ld, GramKernel.Blas, threads: 1, lowerOnly: false);
        for (long i = 0; i < n * n; i++)
        {
            Assert.That(avx[i], Is.EqualTo(blas[i]).Within(1e-12 * Math.Abs(blas[i])), $"entry {i}");
        }
    }

    [Test]
    public void RowGram_NoColumns_IsZero_AndLowerOnlyKeepsTheUpperTriangle([Values] bool lowerOnly)
    {
        foreach (GramKernel kernel in Kernels())
        {
            double[] gram = Gram(new float[1], 3, 0, 0, kernel, threads: 1, lowerOnly);
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    Assert.That(gram[i * 3 + j], Is.EqualTo(j > i && lowerOnly ? Sentinel : 0.0), $"{kernel} ({i}, {j})");
                }
            }
        }
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(17)]
    [TestCase(64)]
    public unsafe void MirrorLower_CopiesTheLowerTriangleExactly(int n)
    {
        double[] matrix = RandomDoubles(new Random(n), (long)n * n);
        double[] before = (double[])matrix.Clone();
        fixed (double* m = matrix)
        {
            ProbeKernels.MirrorLower(m, n);
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = j <= i ? before[i * n + j] : before[j * n + i];
                Assert.That(BitConverter.DoubleToInt64Bits(matrix[i * n + j]), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected)), $"({i}, {j})");
            }
        }
    }

    /// <summary>n rows of k values, ld apart; the gaps between rows hold large values that no Gram may read.</summary>
    private static float[] StridedRows(Random random, long n, long k, long ld)
    {
        float[] rows = RandomFloats(random, Math.Max(1, n * ld));
        for (long i = 0; i < n; i++)
        {
            for (long t = k; t < ld; t++)
            {
                rows[i * ld + t] = 1e6f;
            }
        }

        return rows;
    }

    private static double[] ReferenceGram<T>(T[] rows, long n, long k, long ld)
        where T : struct, IConvertible
    {
        double[] x = rows.Select(v => v.ToDouble(null)).ToArray();
        var gram = new double[n * n];
        for (long i = 0; i < n; i++)
        {
            for (long j = 0; j < n; j++)
            {
                double sum = 0;
                for (long t = 0; t < k; t++)
                {
                    sum += x[i * ld + t] * x[j * ld + t];
                }

                gram[i * n + j] = sum;
            }
        }

        return gram;
    }

    private static double[] RowNorms<T>(T[] rows, long n, long k, long ld)
        where T : struct, IConvertible
    {
        var norms = new double[n];
        for (long i = 0; i < n; i++)
        {
            double sum = 0;
            for (long t = 0; t < k; t++)
            {
                double v = rows[i * ld + t].ToDouble(null);
                sum += v * v;
            }

            norms[i] = Math.Sqrt(sum);
        }

        return norms;
    }

    /// <summary>
    /// Every entry within 1e-13 |x_i| |x_j| of the reference (float64 sums in another order differ by about
    /// k eps |x_i| |x_j| at worst); with lowerOnly, the upper triangle still holds the sentinel it was filled with.
    /// </summary>
    private static void AssertGram(double[] gram, double[] expected, long n, double[] norms, bool lowerOnly, string what)
    {
        for (long i = 0; i < n; i++)
        {
            for (long j = 0; j < n; j++)
            {
                if (lowerOnly && j > i)
                {
                    Assert.That(gram[i * n + j], Is.EqualTo(Sentinel), $"{what}: upper ({i}, {j}) was written");
                    continue;
                }

                Assert.That(gram[i * n + j], Is.EqualTo(expected[i * n + j]).Within(1e-13 * norms[i] * norms[j] + 1e-300), $"{what}: ({i}, {j})");
            }
        }
    }

    private static unsafe double[] Gram(float[] rows, long n, long k, long ld, GramKernel kernel, int threads, bool lowerOnly)
    {
        double[] gram = Enumerable.Repeat(Sentinel, (int)(n * n)).ToArray();
        fixed (float* r = rows)
        fixed (double* g = gram)
        {
            ProbeKernels.RowGram(r, n, k, ld, g, kernel, threads, lowerOnly);
        }

        return gram;
    }

    private static unsafe double[] Gram(double[] rows, long n, long k, long ld, GramKernel kernel, int threads, bool lowerOnly)
    {
        double[] gram = Enumerable.Repeat(Sentinel, (int)(n * n)).ToArray();
        fixed (double* r = rows)
        fixed (double* g = gram)
        {
            ProbeKernels.RowGram(r, n, k, ld, g, kernel, threads, lowerOnly);
        }

        return gram;
    }
}
