using System.Diagnostics;
using AutoBatch.Engine.Kernels;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// From F̃ to the measures: status, trace, λmax, the numerical rank and the smallest eigenvalue counted in it, the
/// truncated condition number c_k = sqrt(λmax / λ_r) (paper, Eq. 7), and the free extras |ḡ|², tr Σ and the noise
/// scale B_simple (McCandlish et al. 2018).
/// </summary>
internal static unsafe class SpectrumAnalysis
{
    /// <summary>
    /// Analyses a symmetric float64 B x B matrix (row-major) under the settings' rank rule. Under the tolerance rule an
    /// eigenvalue counts in the rank when its singular value sqrt(λ) exceeds sqrt(λmax)·τ (τ = the settings' rank
    /// tolerance, B·ε_float32 by default); the reference rule is <see cref="RuleMeasure.Reference"/> on float32
    /// eigenvalues. Non-finite entries give status NonFinite, an all-zero matrix or rank 0 status Zero; neither is an error.
    /// </summary>
    public static ProbeReading Analyse(double[] matrix, int batch, double learningRate, ProbeSettings settings, bool withEigenvalues)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(settings);
        double rankTolerance = settings.RankTolerance ?? ProbeSettings.DefaultRankTolerance(batch);
        bool finite = true;
        double maxAbs = 0, total = 0, trace = 0;
        foreach (double v in matrix)
        {
            finite &= double.IsFinite(v);
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
            total += v;
        }

        for (int i = 0; i < batch; i++)
        {
            trace += matrix[(i * batch) + i];
        }

        if (!finite)
        {
            return Empty(ProbeStatus.NonFinite, batch, learningRate);
        }

        ProbeReading reading = Empty(ProbeStatus.Ok, batch, learningRate) with { Trace = trace };

        if (maxAbs == 0)
        {
            return reading with { Status = ProbeStatus.Zero, Eigenvalues = withEigenvalues ? new double[batch] : null };
        }

        long start = Stopwatch.GetTimestamp();
        double lambdaMax, lambdaMin;
        int rank;
        double[]? eigenvalues = null;
        SpectrumExtremes extremes = default;
        bool found = false;
        if (!withEigenvalues)
        {
            // λmax, the rank and λ_r without the whole spectrum (Householder reduction, then multisection on Sturm
            // counts: measured 0.7-0.8x the time of all eigenvalues in the native engine); all of them only when asked.
            fixed (double* a = matrix)
            {
                found = ProbeKernels.TrySpectrumExtremes(a, batch, maxAbs, rankTolerance, out extremes);
            }
        }

        if (found)
        {
            (lambdaMax, rank, lambdaMin) = (extremes.LambdaMax, extremes.Rank, extremes.LambdaMinPositive);
        }
        else
        {
            eigenvalues = Eigenvalues(matrix, batch);
            lambdaMax = eigenvalues[batch - 1];
            double threshold = Math.Sqrt(lambdaMax) * rankTolerance;
            rank = eigenvalues.Count(e => Math.Sqrt(e) > threshold);
            lambdaMin = rank > 0 ? eigenvalues[batch - rank] : 0;
        }

        RuleMeasure? reference = settings.AppliesReferenceRule ? RuleMeasure.Reference(Float32Eigenvalues(matrix, batch)) : null;
        reading = reading with
        {
            EigenSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
            Rank = rank,
            LambdaMax = lambdaMax,
            Eigenvalues = withEigenvalues ? eigenvalues : null,
        };
        if (rank == 0)
        {
            return reading with { Status = ProbeStatus.Zero, RankRule = settings.RankRule };
        }

        double meanSquared = total / ((double)batch * batch);
        double variance = batch > 1 ? (trace - (batch * meanSquared)) / (batch - 1) : 0;
        return (reading with
        {
            LambdaMinPositive = lambdaMin,
            StepCondition = Math.Sqrt(lambdaMax / lambdaMin),
            MeanGradientSquaredNorm = meanSquared,
            VarianceTrace = variance,
            NoiseScale = meanSquared > 0 ? variance / meanSquared : 0,
        }).UnderRule(settings, reference);
    }

    /// <summary>A reading with nothing measured (every number 0): the start of one, or a NonFinite step's.</summary>
    public static ProbeReading Empty(ProbeStatus status, int batch, double learningRate) => new()
    {
        Status = status,
        BatchSize = batch,
        LearningRate = learningRate,
        Rank = 0,
        Trace = 0,
        LambdaMax = 0,
        LambdaMinPositive = 0,
        StepCondition = 0,
        MeanGradientSquaredNorm = 0,
        VarianceTrace = 0,
        NoiseScale = 0,
        GramSeconds = 0,
        EigenSeconds = 0,
    };

    /// <summary>All eigenvalues of the matrix rounded to float32, computed in float32 (LAPACK's symmetric solver through LibTorch).</summary>
    private static float[] Float32Eigenvalues(double[] matrix, int batch)
    {
        using var scope = NewDisposeScope();
        Tensor a = tensor(matrix, [batch, batch], ScalarType.Float64).to(ScalarType.Float32);
        Tensor values = linalg.eigvalsh(a).contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.bytes).ToArray();
    }

    /// <summary>All eigenvalues, ascending, negatives clamped to 0 (LAPACK's symmetric solver through LibTorch).</summary>
    private static double[] Eigenvalues(double[] matrix, int batch)
    {
        using var scope = NewDisposeScope();
        Tensor a = tensor(matrix, [batch, batch], ScalarType.Float64);
        Tensor values = linalg.eigvalsh(a).clamp_min(0.0).contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(values.bytes).ToArray();
    }
}
