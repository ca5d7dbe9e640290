using System.Diagnostics;
using System.Runtime.InteropServices;
using AutoBatch.Engine.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// One probe over the captured layers: F̃ as the sum of the layer Grams, per-layer traces and sums, then the spectrum
/// analysis (<see cref="SpectrumAnalysis"/>).
/// </summary>
internal static unsafe class ProbeRun
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
        // F̃ accumulates the layers' lower triangles (row i: entries 0..i) on the host and is mirrored once at the end,
        // so it is exactly symmetric; each layer's trace and 1ᵀG1 come from the same pass.
        var matrix = new double[batch * batch];
        var traces = new double[sites.Count];
        var sums = new double[sites.Count];
        var paths = new LayerPath[sites.Count];
        for (int l = 0; l < sites.Count; l++)
        {
            using var layerScope = NewDisposeScope();
            ProbeSite site = sites[l];
            if (site.Module is BatchNorm norm && !site.Frozen)
            {
                site.Training = norm.training;
                site.RunningMean ??= norm.running_mean;
                site.RunningVariance ??= norm.running_var;
            }

            if (site.Unreached)
            {
                paths[l] = LayerPath.Unreached;
                continue;
            }

            paths[l] = LayerGrams.PathOf(site, batch, settings.Mode);
            (traces[l], sums[l]) = AddLowerTriangle(LayerGrams.Compute(site, batch, options), matrix, batch);
        }

        fixed (double* m = matrix)
        {
            ProbeKernels.MirrorLower(m, batch);
        }

        double gramSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (gram is not null)
        {
            matrix.CopyTo(gram, 0);
        }

        ProbeReading reading = SpectrumAnalysis.Analyse(matrix, batch, learningRate, settings, withEigenvalues);
        return reading with
        {
            GramSeconds = gramSeconds,
            FusedLayers = sites.Count(s => s.Fused),
            RowsSeconds = sites.Sum(s => s.RowsSeconds),
            LayerTraces = traces,
            LayerGradientSums = sums,
            LayerPaths = reading.Status is ProbeStatus.Ok or ProbeStatus.Zero ? paths : null,
        };
    }

    /// <summary>Adds the lower triangle of a layer's Gram to F̃'s; returns the layer's trace and 1ᵀG1 (from its lower triangle).</summary>
    private static (double Trace, double Sum) AddLowerTriangle(LayerGram gram, double[] total, int batch)
    {
        ReadOnlySpan<double> lower = Values(gram.Lower, batch);
        ReadOnlySpan<double> factor = gram.Factor is null ? default : Values(gram.Factor, batch);
        bool withFactor = gram.Factor is not null;
        double scale = gram.Scale, shift = gram.Shift;
        double trace = 0, below = 0;
        for (int i = 0; i < batch; i++)
        {
            int row = i * batch;
            for (int j = 0; j <= i; j++)
            {
                double v = (lower[row + j] * scale) * ((withFactor ? factor[row + j] : 0.0) + shift);
                total[row + j] += v;
                if (j < i)
                {
                    below += v;
                }
                else
                {
                    trace += v;
                }
            }
        }

        return (trace, (2 * below) + trace);
    }

    private static ReadOnlySpan<double> Values(Tensor matrix, int batch)
    {
        Tensor host = HostTensors.Host(matrix, ScalarType.Float64);
        if (host.numel() != (long)batch * batch)
        {
            throw new InvalidOperationException($"A layer Gram has {host.numel()} entries; {batch} x {batch} expected.");
        }

        return MemoryMarshal.Cast<byte, double>(host.bytes);
    }
}
