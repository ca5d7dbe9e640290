using AutoBatch.Engine.Interop;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Probe;

/// <summary>The probe's spectrum analysis applied to a given matrix (native LAPACK eigensolver, float64).</summary>
public static class GramAnalysis
{
    /// <summary>
    /// Analyses a symmetric B x B matrix (row-major) exactly as the probe analyses F̃: eigenvalues (ascending,
    /// clamped at 0), numerical rank, c = sqrt(λmax/λmin+), and the gradient-noise extras. Without
    /// <paramref name="withEigenvalues"/> it takes the path of a training step's probe, which finds λmax, the rank and
    /// λmin+ without the whole spectrum (tridiagonal reduction, Sturm counts, multisection), and the reading has no
    /// eigenvalues.
    /// </summary>
    public static unsafe ProbeReading Analyse(
        ReadOnlySpan<double> gram, int batch, ProbeSettings settings, double learningRate = 1.0, bool withEigenvalues = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (gram.Length != batch * batch)
        {
            throw new ArgumentException($"A {batch}x{batch} matrix needs {batch * batch} values, got {gram.Length}.", nameof(gram));
        }

        double[]? eigen = withEigenvalues ? new double[batch] : null;
        NativeProbeResult result;
        fixed (double* pg = gram)
        fixed (double* pe = eigen)
        {
            NativeProbeOptions options = Network.ToNative(settings, pe, null, null, null, 0);
            NativeMethods.Check(NativeMethods.AnalyseGram(pg, batch, &options, &result));
        }

        return Network.ToReading(result, settings, batch, learningRate, null, null, eigen);
    }
}
