using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// The Gram product X Xᵀ that every layer's F̃ contribution ends in, by each kernel (BLAS dsyrk, the AVX-512 kernel,
/// auto), against the float32 values' products summed here in float64 (F̃'s products and sums are float64).
/// </summary>
public sealed class GramKernelTests
{
    // Row counts around the kernel's 8-row groups and 24-row tiles; column counts around its 8-column transposes and
    // 128-column blocks. 600 rows shrink the column block to 109.
    private static readonly int[] RowCounts = [1, 5, 8, 9, 23, 24, 25, 49, 130];
    private static readonly int[] ColumnCounts = [1, 7, 8, 9, 127, 128, 129, 1000];

    private static bool? _avx512;

    /// <summary>Whether this CPU runs the AVX-512 kernel (the engine refuses it by name, as a bad argument, otherwise).</summary>
    internal static bool Avx512Runs()
    {
        if (_avx512 is { } known)
        {
            return known;
        }

        try
        {
            RowGram.Compute(new float[] { 1 }, 1, 1, GramKernel.Avx512);
            _avx512 = true;
        }
        catch (ArgumentException e) when (e.Message.Contains("AVX-512F", StringComparison.Ordinal))
        {
            _avx512 = false;
        }

        return _avx512.Value;
    }

    private static IEnumerable<GramKernel> Kernels() =>
        Avx512Runs() ? [GramKernel.Auto, GramKernel.Blas, GramKernel.Avx512] : [GramKernel.Auto, GramKernel.Blas];

    private static float[] Rows(int n, int k, int seed)
    {
        // Values over several orders of magnitude and both signs, so that rounding in float32 would show.
        var rng = new Random(seed);
        return Enumerable.Range(0, n * k).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 3)))).ToArray();
    }

    /// <summary>
    /// Checks every entry against Σ_t x_it x_jt summed here in float64. Two float64 dot products of k terms differ by
    /// at most 2 k u Σ_t |x_it x_jt| (u = 2⁻⁵³) whatever their order of summation; a float32 product or sum would
    /// be off by about 2⁻²⁴ of that sum.
    /// </summary>
    private static void AssertGram(double[] actual, Func<int, double> value, int n, int k, string what)
    {
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int t = 0; t < k; t++)
                {
                    double product = value((i * k) + t) * value((j * k) + t);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                double bound = (2.0 * k * Math.Pow(2, -53) * magnitude) + double.Epsilon;
                worst = Math.Max(worst, Math.Abs(actual[(i * n) + j] - sum) / bound);
            }
        }

        Assert.That(worst, Is.LessThanOrEqualTo(1.0), $"{what}: worst error relative to the float64 bound");
    }

    [Test]
    public void EachKernelMatchesFloat64ProductsOfFloat32Rows()
    {
        Assert.Multiple(() =>
        {
            foreach (int n in RowCounts)
            {
                foreach (int k in ColumnCounts)
                {
                    float[] rows = Rows(n, k, seed: (n * 1000) + k);
                    foreach (GramKernel kernel in Kernels())
                    {
                        double[] gram = RowGram.Compute(rows, n, k, kernel);
                        AssertGram(gram, i => rows[i], n, k, $"{kernel} {n}x{k}");
                    }
                }
            }
        });
    }

    [TestCase(600, 300)]
    [TestCase(17, 5000)]
    public void EachKernelMatchesFloat64ProductsOnLargerShapes(int n, int k)
    {
        float[] rows = Rows(n, k, seed: 7);
        Assert.Multiple(() =>
        {
            foreach (GramKernel kernel in Kernels())
            {
                AssertGram(RowGram.Compute(rows, n, k, kernel), i => rows[i], n, k, $"{kernel} {n}x{k}");
            }
        });
    }

    /// <summary>
    /// A synchronous probe runs the AVX-512 kernel on libtorch's intra-op threads, each taking whole rows of tiles: the
    /// numbers must not depend on how many there are. Shapes above the kernel's threading threshold (2²² n²k),
    /// with rows that fill the last group of 8 and rows that do not (a padded buffer).
    /// </summary>
    [TestCase(130, 2000)]
    [TestCase(48, 20000)]
    [TestCase(600, 300)]
    public void TheAvx512KernelGivesTheSameBitsOnAnyNumberOfThreads(int n, int k)
    {
        Assume.That(Avx512Runs(), "this CPU has no AVX-512F");
        float[] rows = Rows(n, k, seed: 11);
        using EngineThreads kept = EngineThreads.Keep();
        EngineRuntime.SetThreads(1);
        double[] serial = RowGram.Compute(rows, n, k, GramKernel.Avx512);
        AssertGram(serial, i => rows[i], n, k, $"1 thread {n}x{k}");
        Assert.Multiple(() =>
        {
            foreach (int threads in new[] { 2, 3, 5 })
            {
                EngineRuntime.SetThreads(threads);
                Assert.That(RowGram.Compute(rows, n, k, GramKernel.Avx512), Is.EqualTo(serial), $"{threads} threads {n}x{k}");
            }
        });
    }

    [Test]
    public void EachKernelMatchesOnFloat64Rows()
    {
        Assert.Multiple(() =>
        {
            foreach ((int n, int k) in new[] { (1, 1), (9, 129), (25, 7), (49, 300) })
            {
                var rng = new Random(n + k);
                double[] rows = Enumerable.Range(0, n * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
                foreach (GramKernel kernel in Kernels())
                {
                    AssertGram(RowGram.Compute(rows, n, k, kernel), i => rows[i], n, k, $"{kernel} float64 {n}x{k}");
                }
            }
        });
    }

    [Test]
    public void ProductsAndSumsAreFloat64()
    {
        // x = 1 + 2^-13 (exact in float32): x² = 1 + 2^-12 + 2^-26 needs 27 bits, which float32 rounds away, and
        // 3000 x² is exact in float64 whatever the order of the sum, but not in float32 (24 bits).
        const int k = 3000;
        const int n = 11;
        float x = 1f + MathF.Pow(2, -13);
        float[] rows = Enumerable.Repeat(x, n * k).ToArray();
        double expected = k * (1.0 + Math.Pow(2, -12) + Math.Pow(2, -26));
        Assert.Multiple(() =>
        {
            foreach (GramKernel kernel in Kernels())
            {
                Assert.That(RowGram.Compute(rows, n, k, kernel), Is.All.EqualTo(expected), kernel.ToString());
            }
        });
    }

    [Test]
    public void TheAvx512KernelFillsBothTrianglesWithTheSameNumbers()
    {
        Assume.That(Avx512Runs(), "this CPU has no AVX-512F");
        const int n = 37;
        const int k = 203;
        double[] gram = RowGram.Compute(Rows(n, k, seed: 3), n, k, GramKernel.Avx512);
        Assert.Multiple(() =>
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    Assert.That(gram[(i * n) + j], Is.EqualTo(gram[(j * n) + i]), $"entry ({i}, {j})");
                }
            }
        });
    }

    [Test]
    public void AnUndefinedKernelIsRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => RowGram.Compute(new float[] { 1, 2 }, 1, 2, (GramKernel)7));
        Assert.That(e!.Message, Does.Contain("gram kernel").And.Contain("7"));
        var settings = new ProbeSettings { GramKernel = (GramKernel)9 };
        var range = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.That(range!.ParamName, Is.EqualTo(nameof(ProbeSettings.GramKernel)));
    }

    [Test]
    public void RowsThatDoNotMatchTheShapeAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => RowGram.Compute(new float[5], 2, 3, GramKernel.Auto));
        Assert.That(e!.Message, Does.Contain("5").And.Contain("6"));
    }
}
