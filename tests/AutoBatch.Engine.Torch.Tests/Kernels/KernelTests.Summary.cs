using AutoBatch.Engine.Kernels;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>SummariseGram: the symmetrisation bit for bit, and the summary against loops written here.</summary>
public sealed partial class KernelTests
{
    [TestCase(1)]
    [TestCase(13)]
    [TestCase(70)]
    public unsafe void SummariseGram_Symmetrises_AndSummarisesTheSymmetricMatrix(int n)
    {
        double[] a = RandomDoubles(new Random(n), (long)n * n);
        var symmetric = new double[n * n];
        GramSummary summary;
        fixed (double* pa = a, ps = symmetric)
        {
            summary = ProbeKernels.SummariseGram(pa, n, ps, threads: 2);
        }

        double max = 0, sum = 0, magnitude = 0, trace = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double expected = (a[i * n + j] + a[j * n + i]) * 0.5;
                Assert.That(BitConverter.DoubleToInt64Bits(symmetric[i * n + j]), Is.EqualTo(BitConverter.DoubleToInt64Bits(expected)), $"({i}, {j})");
                max = Math.Max(max, Math.Abs(expected));
                sum += expected;
                magnitude += Math.Abs(expected);
            }

            trace += symmetric[i * n + i];
        }

        Assert.That(summary.Finite, Is.True);
        Assert.That(summary.MaxAbs, Is.EqualTo(max));
        Assert.That(summary.Trace, Is.EqualTo(trace), "the trace is summed in row order");
        Assert.That(summary.Sum, Is.EqualTo(sum).Within(1e-13 * magnitude));
    }

    [Test]
    public unsafe void SummariseGram_WithoutOutput_SummarisesTheMatrixAsItIs_AndFindsNonFiniteEntries()
    {
        double[] a = [4, -1, 2, -1, 3, 0.5, 2, 0.5, 1];
        fixed (double* pa = a)
        {
            Assert.That(ProbeKernels.SummariseGram(pa, 3, null, threads: 1), Is.EqualTo(new GramSummary(true, 4, 11, 8)));
            foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            {
                a[5] = bad;
                Assert.That(ProbeKernels.SummariseGram(pa, 3, null, threads: 1).Finite, Is.False, $"{bad}");
            }
        }
    }

    [Test]
    public unsafe void SummariseGram_OneAndTwoThreads_GiveTheSameBits()
    {
        // 512 x 512: rows of 8 x 8 blocks go to the team in ranges of at least 2^15 entries, so two threads share it.
        const int n = 512;
        double[] a = RandomDoubles(new Random(8), (long)n * n);
        double[] one = new double[n * n], two = new double[n * n];
        fixed (double* pa = a, p1 = one, p2 = two)
        {
            Assert.That(ProbeKernels.SummariseGram(pa, n, p2, threads: 2), Is.EqualTo(ProbeKernels.SummariseGram(pa, n, p1, threads: 1)));
        }

        Assert.That(Bits(two), Is.EqualTo(Bits(one)));
    }

    [Test]
    public unsafe void SummariseGram_RefusesBadArguments_WithTheNativeMessage()
    {
        var a = new double[16];
        fixed (double* pa = a)
        {
            double* p = pa;
            AssertRefused(() => ProbeKernels.SummariseGram(p, -1, null, 1), "abk_gram_summary: n must be >= 0, got -1");
            AssertRefused(() => ProbeKernels.SummariseGram(null, 4, null, 1), "abk_gram_summary: the matrix is null");
            AssertRefused(() => ProbeKernels.SummariseGram(p, 4, p, 1), "the symmetric output overlaps the matrix");
            AssertRefused(() => ProbeKernels.SummariseGram(p, 2, p + 3, 1), "the symmetric output overlaps the matrix");
            AssertRefused(() => ProbeKernels.SummariseGram(p, 2, null, 0), "threads must be 1..1024, got 0");
        }
    }
}
