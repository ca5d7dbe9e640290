using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>The spectrum analysis on matrices with known spectra.</summary>
public sealed class SpectrumTests
{
    private static double[] WithSpectrum(double[] eigenvalues, int seed)
    {
        // Q diag(λ) Qᵀ with Q a product of Householder reflections: orthogonal by construction.
        int n = eigenvalues.Length;
        var rng = new Random(seed);
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            q[i, i] = 1;
        }

        for (int h = 0; h < 3; h++)
        {
            var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double norm2 = v.Sum(a => a * a);
            var next = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < n; k++)
                    {
                        double hik = (i == k ? 1 : 0) - 2 * v[i] * v[k] / norm2;
                        sum += hik * q[k, j];
                    }

                    next[i, j] = sum;
                }
            }

            q = next;
        }

        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += q[i, k] * eigenvalues[k] * q[j, k];
                }

                m[i * n + j] = sum;
            }
        }

        return m;
    }

    [Test]
    public void RecoversAKnownSpectrumRankAndCondition([Values] bool withEigenvalues)
    {
        double[] lambda = [100, 25, 4, 1, 0, 0];
        ProbeReading r = GramAnalysis.Analyse(WithSpectrum(lambda, 1), 6, new ProbeSettings(), withEigenvalues: withEigenvalues);
        Assert.Multiple(() =>
        {
            Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
            if (withEigenvalues)
            {
                Assert.That(r.Eigenvalues!, Is.EqualTo(lambda.Order().ToArray()).Within(1e-10));
            }
            else
            {
                Assert.That(r.Eigenvalues, Is.Null);
            }

            Assert.That(r.LambdaMax, Is.EqualTo(100).Within(1e-10));
            Assert.That(r.LambdaMinPositive, Is.EqualTo(1).Within(1e-10));
            Assert.That(r.Rank, Is.EqualTo(4));
            Assert.That(r.StepCondition, Is.EqualTo(10.0).Within(1e-9));
            Assert.That(r.Trace, Is.EqualTo(130).Within(1e-10));
        });
    }

    [Test]
    public void TinyEigenvaluesBelowTheToleranceDoNotCount([Values] bool withEigenvalues)
    {
        // σ threshold = σmax · B · ε32 = 10 · 4 · 1.19e-7 ≈ 4.8e-6, i.e. λ ≈ 2.3e-11: 1e-12 is out, 1e-9 is in.
        double[] lambda = [100, 1e-9, 1e-12, 0];
        ProbeReading r = GramAnalysis.Analyse(WithSpectrum(lambda, 2), 4, new ProbeSettings(), withEigenvalues: withEigenvalues);
        Assert.That(r.Rank, Is.EqualTo(2));
        ProbeReading loose = GramAnalysis.Analyse(
            WithSpectrum(lambda, 2), 4, new ProbeSettings { RankTolerance = 1e-3 }, withEigenvalues: withEigenvalues);
        Assert.That(loose.Rank, Is.EqualTo(1));
    }

    [Test]
    public void RankOneHasConditionOne([Values] bool withEigenvalues)
    {
        ProbeReading r = GramAnalysis.Analyse(WithSpectrum([5, 0, 0], 3), 3, new ProbeSettings(), withEigenvalues: withEigenvalues);
        Assert.Multiple(() =>
        {
            Assert.That(r.Rank, Is.EqualTo(1));
            Assert.That(r.StepCondition, Is.EqualTo(1).Within(1e-9));
        });
    }

    /// <summary>
    /// A training step's probe takes λmax, the rank and λmin+ from a tridiagonal reduction, Sturm-count multisection and
    /// one more Sturm count instead of the whole spectrum: on Grams of random rows (full rank, rank-deficient, spread
    /// spectra, 1 and 2 rows, entries near 1e±150) and on repeated eigenvalues it must give what the full spectrum gives.
    /// </summary>
    [TestCase(64, 40, 0.0, 1.0)]
    [TestCase(64, 500, 2.0, 1.0)]
    [TestCase(130, 1000, 3.0, 1.0)]
    [TestCase(200, 150, 1.0, 1.0)]
    [TestCase(7, 3, 0.5, 1.0)]
    [TestCase(1, 5, 0.0, 1.0)]
    [TestCase(2, 1, 0.0, 1.0)]
    [TestCase(2, 9, 1.0, 1.0)]
    [TestCase(50, 80, 1.5, 1e75)]
    [TestCase(50, 80, 1.5, 1e-75)]
    public void ExtremesWithoutTheSpectrumMatchTheFullSpectrum(int batch, int p, double spread, double magnitude)
    {
        // Rows with column scales 10^(-spread..spread): condition numbers up to ~10^spread. Gram entries ~magnitude².
        var rng = new Random(batch + p);
        double[] scale = Enumerable.Range(0, p).Select(k => magnitude * Math.Pow(10, spread * ((2.0 * k / Math.Max(1, p - 1)) - 1))).ToArray();
        double[] j = Enumerable.Range(0, batch * p).Select(i => (rng.NextDouble() - 0.5) * scale[i % p]).ToArray();
        var gram = new double[batch * batch];
        for (int a = 0; a < batch; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                double sum = 0;
                for (int k = 0; k < p; k++)
                {
                    sum += j[(a * p) + k] * j[(b * p) + k];
                }

                gram[(a * batch) + b] = gram[(b * batch) + a] = sum;
            }
        }

        AssertSamePathResults(gram, batch);
    }

    [Test]
    public void ExtremesWithoutTheSpectrumHandleRepeatedEigenvalues()
    {
        AssertSamePathResults(WithSpectrum([5, 5, 5, 1, 1, 0, 0, 0], 5), 8);
    }

    private static void AssertSamePathResults(double[] gram, int batch)
    {
        ProbeReading full = GramAnalysis.Analyse(gram, batch, new ProbeSettings());
        ProbeReading fast = GramAnalysis.Analyse(gram, batch, new ProbeSettings(), withEigenvalues: false);
        Assert.Multiple(() =>
        {
            Assert.That(fast.Status, Is.EqualTo(full.Status));
            Assert.That(fast.Rank, Is.EqualTo(full.Rank));
            Assert.That(fast.LambdaMax, Is.EqualTo(full.LambdaMax).Within(1e-12).Percent);
            // Both are accurate to about ε λmax in absolute terms.
            Assert.That(fast.LambdaMinPositive, Is.EqualTo(full.LambdaMinPositive).Within(1e-13 * full.LambdaMax));
            Assert.That(fast.StepCondition, Is.EqualTo(full.StepCondition).Within(1e-6).Percent);
            Assert.That(fast.Trace, Is.EqualTo(full.Trace));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ANegativeSpectrumHasRankZero(bool withEigenvalues)
    {
        // Eigenvalues -1, -2, -3 clamp to 0: nothing counts, reported as a zero F̃ rather than a crash.
        ProbeReading r = GramAnalysis.Analyse(WithSpectrum([-1, -2, -3], 6), 3, new ProbeSettings(), withEigenvalues: withEigenvalues);
        Assert.Multiple(() =>
        {
            Assert.That(r.Status, Is.EqualTo(ProbeStatus.Zero));
            Assert.That(r.Rank, Is.Zero);
        });
    }

    [Test]
    public void ZeroMatrixIsReportedNotCrashed()
    {
        ProbeReading r = GramAnalysis.Analyse(new double[9], 3, new ProbeSettings());
        Assert.Multiple(() =>
        {
            Assert.That(r.Status, Is.EqualTo(ProbeStatus.Zero));
            Assert.That(r.Rank, Is.Zero);
            Assert.That(r.StepEnergy, Is.Zero);
        });
    }

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void NonFiniteEntriesAreReportedNotCrashed(double bad)
    {
        double[] m = WithSpectrum([3, 2, 1], 4);
        m[4] = bad;
        ProbeReading r = GramAnalysis.Analyse(m, 3, new ProbeSettings());
        Assert.Multiple(() =>
        {
            Assert.That(r.Status, Is.EqualTo(ProbeStatus.NonFinite));
            Assert.That(double.IsFinite(r.StepCondition), Is.True);
            Assert.That(double.IsFinite(r.Trace), Is.True);
        });
    }

    [Test]
    public void SingleSampleHasNoVarianceButNoNaN([Values] bool withEigenvalues)
    {
        ProbeReading r = GramAnalysis.Analyse([4.0], 1, new ProbeSettings(), withEigenvalues: withEigenvalues);
        Assert.Multiple(() =>
        {
            Assert.That(r.Rank, Is.EqualTo(1));
            Assert.That(r.VarianceTrace, Is.Zero);
            Assert.That(double.IsNaN(r.NoiseScale), Is.False);
        });
    }

    [Test]
    public void AccumulatorRescalesEnergyBySamplingRatio()
    {
        var acc = new FisherAccumulator();
        for (int i = 0; i < 10; i++)
        {
            acc.AddIteration();
            if (i % 5 == 0)
            {
                acc.AddReading(new ProbeReading
                {
                    Status = ProbeStatus.Ok, BatchSize = 4, LearningRate = 0.5, Rank = 2, Trace = 16, LambdaMax = 10, LambdaMinPositive = 2.5,
                    StepCondition = i == 0 ? 2 : 4, MeanGradientSquaredNorm = 1, VarianceTrace = 1, NoiseScale = 1, GramSeconds = 0, EigenSeconds = 0,
                });
            }
        }

        acc.AddReading(new ProbeReading
        {
            Status = ProbeStatus.NonFinite, BatchSize = 4, LearningRate = 0.5, Rank = 0, Trace = 0, LambdaMax = 0, LambdaMinPositive = 0,
            StepCondition = 0, MeanGradientSquaredNorm = 0, VarianceTrace = 0, NoiseScale = 0, GramSeconds = 0, EigenSeconds = 0,
        });
        Assert.Multiple(() =>
        {
            Assert.That(acc.CumulativeCondition, Is.EqualTo(3));
            // l = 0.5/4 · sqrt(16) = 0.5 each; Σ l = 1; 10 iterations / 2 measurements -> L = 5.
            Assert.That(acc.CumulativeEnergy, Is.EqualTo(5).Within(1e-12));
            Assert.That(acc.InvalidMeasurements, Is.EqualTo(1));
            Assert.That(FisherAccumulator.Restore(acc.Snapshot()).CumulativeEnergy, Is.EqualTo(acc.CumulativeEnergy));
        });
    }
}
