using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// One probe over the captured layers: F̃ as the sum of the layer Grams, per-layer traces and sums, then the spectrum
/// analysis (<see cref="SpectrumAnalysis"/>).
/// </summary>
internal static class ProbeRun
{
    /// <summary>What a probe returns besides its reading: F̃ itself when asked for.</summary>
    /// <param name="sites">The probed layers, each with its capture and output gradient.</param>
    /// <param name="batch">B.</param>
    /// <param name="learningRate">α of the step, for l_k.</param>
    /// <param name="settings">Modes, kernels, cap, rank tolerance.</param>
    /// <param name="threads">Threads for the probe's kernels.</param>
    /// <param name="withEigenvalues">Return all B eigenvalues (ascending, clamped at 0).</param>
    /// <param name="gram">When not null, receives F̃ row-major (B·B values).</param>
    public static ProbeReading Run(
        IReadOnlyList<ProbeSite> sites, int batch, double learningRate, ProbeSettings settings, int threads, bool withEigenvalues, double[]? gram)
    {
        settings.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long start = Stopwatch.GetTimestamp();
        GramOptions options = GramOptions.From(settings, threads);
        Tensor total = zeros([batch, batch], ScalarType.Float64);
        var traces = new double[sites.Count];
        var sums = new double[sites.Count];
        var paths = new LayerPath[sites.Count];
        for (int l = 0; l < sites.Count; l++)
        {
            using var layerScope = NewDisposeScope();
            ProbeSite site = sites[l];
            if (site.Module is BatchNorm2d norm && !site.Frozen)
            {
                site.Training = norm.training;
                site.RunningMean ??= norm.running_mean;
                site.RunningVariance ??= norm.running_var;
            }

            paths[l] = LayerGrams.PathOf(site, batch, settings.Mode);
            Tensor g = LayerGrams.Compute(site, batch, options);
            total.add_(g);
            traces[l] = g.diagonal().sum().item<double>();
            sums[l] = g.sum().item<double>();
        }

        double gramSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        // Each layer Gram is symmetric up to the rounding of its product; (F + Fᵀ)/2 is exactly symmetric.
        Tensor symmetric = total.add(total.t()).mul_(0.5).cpu().contiguous();
        double[] matrix = MemoryMarshal.Cast<byte, double>(symmetric.bytes).ToArray();
        if (gram is not null)
        {
            matrix.CopyTo(gram, 0);
        }

        double tolerance = settings.RankTolerance ?? ProbeSettings.DefaultRankTolerance(batch);
        ProbeReading reading = SpectrumAnalysis.Analyse(matrix, batch, learningRate, tolerance, withEigenvalues);
        return reading with
        {
            GramSeconds = gramSeconds,
            LayerTraces = traces,
            LayerGradientSums = sums,
            LayerPaths = reading.Status is ProbeStatus.Ok or ProbeStatus.Zero ? paths : null,
        };
    }
}
