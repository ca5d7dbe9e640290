using AutoBatch.Engine.Kernels;
using TorchSharp;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>TrySpectrumExtremes against known spectra (Q diag(λ) Qᵀ) and TorchSharp's float64 eigvalsh.</summary>
public sealed partial class KernelTests
{
    [Test]
    public void Spectrum_OfAKnownSpectrum_IsItsExtremes()
    {
        double[] lambdas = [10, 5, 3, 1, 0.5, 0.25, 0.1, 0.03, 1e-3, 2e-4, 7e-5, 2e-5];
        double[] matrix = WithSpectrum(lambdas, new Random(1));
        // √λ > √λmax · tolerance is λ > λmax tolerance²: λ > 1e-5 (all), λ > 4e-5 (not 2e-5), λ > 0.025 (down to 0.03).
        AssertExtremes(matrix, lambdas, 1e-3, expectedRank: 12);
        AssertExtremes(matrix, lambdas, 2e-3, expectedRank: 11);
        AssertExtremes(matrix, lambdas, 0.05, expectedRank: 8);
    }

    [Test]
    public void Spectrum_OfARankDeficientMatrix_CountsOnlyTheNonZeroEigenvalues()
    {
        const int n = 16;
        double[] lambdas = [.. new double[] { 4, 2, 1, 0.3, 0.05 }, .. new double[n - 5]];
        double[] matrix = WithSpectrum(lambdas, new Random(2));
        // The probe's default tolerance, B eps_float32: the zeros come back as rounding errors far below it.
        AssertExtremes(matrix, lambdas, n * 1.1920928955078125e-07, expectedRank: 5);
    }

    [Test]
    public void Spectrum_OfHugeAndTinyMatrices_IsScaledExactly([Values(-900, 900)] int exponent)
    {
        // Entries near 2^±900: their squares under- or overflow float64 unless the kernel scales first.
        double scale = Math.ScaleB(1.0, exponent);
        double[] lambdas = [3, 2, 1, 1e-3];
        double[] matrix = WithSpectrum(lambdas, new Random(3)).Select(v => v * scale).ToArray();
        AssertExtremes(matrix, [.. lambdas.Select(l => l * scale)], 1e-3, expectedRank: 4);
    }

    [Test]
    public unsafe void Spectrum_ReadsOnlyTheUpperTriangle()
    {
        double[] lambdas = [2, 1, 0.5, 0.25, 0.125];
        double[] matrix = WithSpectrum(lambdas, new Random(4));
        double[] damaged = (double[])matrix.Clone();
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < i; j++)
            {
                damaged[i * 5 + j] = double.NaN;
            }
        }

        SpectrumExtremes whole = Extremes(matrix, 1e-3), upper = Extremes(damaged, 1e-3);
        Assert.That(upper, Is.EqualTo(whole));
    }

    [TestCase(1, 1)]
    [TestCase(40, 25)]
    [TestCase(64, 200)]
    [TestCase(130, 100)]
    public void Spectrum_OfAGram_MatchesTorchEigvalsh(int n, int k)
    {
        // F̃ as the probe forms it: the Gram of n per-sample rows of k values (rank min(n, k)).
        var rows = RandomDoubles(new Random(n + k), (long)n * k);
        double[] gram = ReferenceGram(rows, n, k, k);
        const double Tolerance = 1e-4;
        using var scope = torch.NewDisposeScope();
        double[] eigenvalues = torch.linalg.eigvalsh(torch.tensor(gram, [n, n], torch.float64)).clamp_min(0.0).data<double>().ToArray();
        double lambdaMax = eigenvalues[^1];
        double[] counted = [.. eigenvalues.Where(l => Math.Sqrt(l) > Math.Sqrt(lambdaMax) * Tolerance)];
        SpectrumExtremes extremes = Extremes(gram, Tolerance);
        Assert.That(counted, Has.Length.EqualTo(Math.Min(n, k)), "the reference itself");
        Assert.That(extremes.Rank, Is.EqualTo(counted.Length));
        Assert.That(extremes.LambdaMax, Is.EqualTo(lambdaMax).Within(1e-12 * lambdaMax));
        Assert.That(extremes.LambdaMinPositive, Is.EqualTo(counted[0]).Within(1e-11 * lambdaMax));
    }

    private static void AssertExtremes(double[] matrix, double[] lambdas, double tolerance, int expectedRank)
    {
        double lambdaMax = lambdas.Max();
        double[] counted = [.. lambdas.Where(l => Math.Sqrt(l) > Math.Sqrt(lambdaMax) * tolerance).Order()];
        Assert.That(counted, Has.Length.EqualTo(expectedRank), "the test's own count");
        SpectrumExtremes extremes = Extremes(matrix, tolerance);
        Assert.That(extremes.Rank, Is.EqualTo(expectedRank), $"rank at tolerance {tolerance}");
        Assert.That(extremes.LambdaMax, Is.EqualTo(lambdaMax).Within(1e-12 * lambdaMax));
        Assert.That(extremes.LambdaMinPositive, Is.EqualTo(counted[0]).Within(1e-12 * lambdaMax));
    }

    private static unsafe SpectrumExtremes Extremes(double[] matrix, double tolerance)
    {
        int n = (int)Math.Sqrt(matrix.Length);
        double maxAbs = matrix.Where(double.IsFinite).Max(Math.Abs);
        SpectrumExtremes extremes;
        bool found;
        fixed (double* m = matrix)
        {
            found = ProbeKernels.TrySpectrumExtremes(m, n, maxAbs, tolerance, out extremes);
        }

        Assert.That(found, Is.True, "LAPACK (liblapack.so.3) is installed here");
        return extremes;
    }

    /// <summary>Q diag(λ) Qᵀ for a random orthogonal Q (modified Gram-Schmidt, twice, on random columns), symmetrised exactly.</summary>
    private static double[] WithSpectrum(double[] lambdas, Random random)
    {
        int n = lambdas.Length;
        double[] q = RandomDoubles(random, (long)n * n);  // column j: q[i * n + j]
        for (int pass = 0; pass < 2; pass++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                    {
                        dot += q[i * n + p] * q[i * n + j];
                    }

                    for (int i = 0; i < n; i++)
                    {
                        q[i * n + j] -= dot * q[i * n + p];
                    }
                }

                double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => q[i * n + j] * q[i * n + j]));
                for (int i = 0; i < n; i++)
                {
                    q[i * n + j] /= norm;
                }
            }
        }

        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int p = 0; p < n; p++)
                {
                    sum += q[i * n + p] * lambdas[p] * q[j * n + p];
                }

                a[i * n + j] = sum;
                a[j * n + i] = sum;
            }
        }

        return a;
    }
}
