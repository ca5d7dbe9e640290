using AutoBatch.Engine.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Each probed layer's B x B float64 contribution to F̃ = Σ_layers G_layer, G_ij = ⟨g_i, g_j⟩ over the layer's
/// parameters, with g_i the gradient of sample i's own loss term: δ_i = B·∂L/∂(output)_i for the mean batch loss L
/// (for BatchNorm in training mode the path-wise share of sample i, paper's code). Never forms J for the whole model.
/// </summary>
internal static unsafe class LayerGrams
{
    /// <summary>How the layer's Gram is formed: BatchNorm always from rows; Linear/Conv by the mode or the cost model.</summary>
    public static LayerPath PathOf(ProbeSite site, long batch, GramMode mode)
    {
        if (site.Fused)
        {
            return LayerPath.Fused;
        }

        if (site.Kind == ProbeSiteKind.BatchNorm || mode == GramMode.Materialise)
        {
            return LayerPath.Rows;
        }

        if (mode == GramMode.Ghost)
        {
            return LayerPath.Ghost;
        }

        (long dIn, long dOut, long positions) = Shape(site);
        return CheaperIsGhost(dIn, dOut, positions, batch) ? LayerPath.Ghost : LayerPath.Rows;
    }

    /// <summary>
    /// The layer's Gram (B x B float64) from what its forward and backward captured, in the form the probe adds into F̃
    /// (<see cref="LayerGram"/>): only its lower triangle is meant to be read.
    /// </summary>
    public static LayerGram Compute(ProbeSite site, long batch, GramOptions options)
    {
        using var noGrad = no_grad();
        if (site.Fused)
        {
            // The backward stored the per-sample gradients of the mean loss, g_i / B: F̃'s share is B² rows rowsᵀ, the
            // factor applied to the float64 Gram, not to the float32 rows.
            Tensor rows = site.Rows ?? throw new InvalidOperationException($"The fused layer {site.Name} delivered no rows.");
            return new LayerGram(GramProduct.Of(rows, options, lowerOnly: true), (double)batch * batch, null, 1.0);
        }

        if (site.Input is null || site.OutputGradient is null)
        {
            throw new InvalidOperationException($"The probed layer {site.Name} captured no input or output gradient.");
        }

        LayerPath path = PathOf(site, batch, options.Mode);
        return site.Kind switch
        {
            ProbeSiteKind.Linear => LinearGram(site, batch, path, options),
            ProbeSiteKind.Conv => LayerGram.Of(path == LayerPath.Ghost ? ConvGhostGram(site, batch, options) : ConvRowsGram(site, batch, options)),
            _ => LayerGram.Of(BatchNormGram(site, batch, options)),
        };
    }

    /// <summary>
    /// Cost model in multiply-adds: ghost ~ B²T²(d_in + d_out), rows ~ B·T·d_in·d_out (the per-sample gradients) plus
    /// B²·d_in·d_out (their Gram). The differential-privacy "ghost norm" rule 2T² &lt; d_in·d_out is for norms and picks
    /// wrongly for Grams.
    /// </summary>
    public static bool CheaperIsGhost(long dIn, long dOut, long positions, long batch)
    {
        double b = batch, t = positions;
        double ghost = b * b * t * t * (dIn + dOut);
        double rows = (b * t * dIn * dOut) + (b * b * dIn * dOut);
        return ghost <= rows;
    }

    private static (long DIn, long DOut, long Positions) Shape(ProbeSite site)
    {
        if (site.Module is Linear linear)
        {
            return (linear.in_features, linear.out_features, 1);
        }

        ConvGeometry conv = site.Geometry;
        long positions = site.OutputGradient is { } g ? g.shape[2] * g.shape[3] : 1;
        return (conv.Inputs, conv.OutChannels, positions);
    }

    private static bool WeightTrainable(ProbeSite site) => site.Module switch
    {
        Linear l => l.weight!.requires_grad,
        Conv2d c => c.weight!.requires_grad,
        FusedConv2d f => f.weight.requires_grad,
        BatchNorm b => b.weight is { requires_grad: true },
        _ => false,
    };

    private static LayerGram LinearGram(ProbeSite site, long batch, LayerPath path, GramOptions options)
    {
        using var scope = NewDisposeScope();
        Tensor a = site.Input!.reshape(batch, -1);
        Tensor grad = site.OutputGradient!.reshape(batch, -1);
        bool weight = WeightTrainable(site), bias = site.HasBias;
        if (path == LayerPath.Ghost)
        {
            // T = 1: g_i = δ_i a_iᵀ (and δ_i for the bias), so ⟨g_i, g_j⟩ = (δ_i·δ_j)(a_i·a_j + 1). The factor B² of
            // δ = B·∂L/∂(output) multiplies the float64 Gram, not the float32 gradients; the two Grams are combined as
            // they are added into F̃ (lower triangles only).
            Tensor dd = GramProduct.Of(grad, options, lowerOnly: true);
            Tensor? inputs = weight ? GramProduct.Of(a, options, lowerOnly: true) : null;
            return new LayerGram(dd.MoveToOuterDisposeScope(), (double)batch * batch, inputs?.MoveToOuterDisposeScope(), bias ? 1.0 : 0.0);
        }

        Tensor d = grad * (double)batch;
        long p = (weight ? a.shape[1] * d.shape[1] : 0) + (bias ? d.shape[1] : 0);
        Tensor Rows(long start, long count)
        {
            Tensor ai = a.narrow(0, start, count);
            Tensor di = d.narrow(0, start, count);
            var parts = new List<Tensor>(2);
            if (weight)
            {
                parts.Add((di.unsqueeze(2) * ai.unsqueeze(1)).reshape(count, -1));
            }

            if (bias)
            {
                parts.Add(di);
            }

            return parts.Count == 1 ? parts[0].contiguous() : cat(parts, 1);
        }

        return LayerGram.Of(GramProduct.FromRows(Rows, batch, p, 0, options, lowerOnly: true).MoveToOuterDisposeScope());
    }

    private static Tensor ConvRowsGram(ProbeSite site, long batch, GramOptions options)
    {
        using var scope = NewDisposeScope();
        ConvGeometry conv = site.Geometry;
        Tensor x = site.Input!.contiguous();
        Tensor d = (site.OutputGradient! * (double)batch).contiguous();
        long outChannels = conv.OutChannels;
        long positions = d.shape[2] * d.shape[3];
        long dIn = conv.Inputs;
        bool weight = WeightTrainable(site), bias = site.HasBias;
        long p = (weight ? outChannels * dIn : 0) + (bias ? outChannels : 0);

        bool direct = weight && UsesDirectKernel(conv, options.ConvKernel, x.device_type);
        Tensor hostX = direct ? HostTensors.Host(x, ScalarType.Float32) : x;
        Tensor hostD = direct ? HostTensors.Host(d, ScalarType.Float32) : d;

        // Per-sample gradients g_i = Σ_t δ_{i,t} a_{i,t}ᵀ: by our direct AVX-512 kernel (weights in (O, kh, kw, C)
        // order, which the Gram does not depend on), or by im2col and a batched product in PyTorch's (O, C, kh, kw)
        // order. Scratch per sample: its im2col block (none for the direct kernel).
        Tensor Rows(long start, long count)
        {
            Tensor di = d.narrow(0, start, count).reshape(count, outChannels, positions);
            if (direct)
            {
                Tensor rows = empty([count, p], ScalarType.Float32);
                var shape = new DirectConvShape(
                    conv.InChannels, x.shape[2], x.shape[3], outChannels, d.shape[2], d.shape[3],
                    conv.KernelHeight, conv.KernelWidth, conv.StrideHeight, conv.StrideWidth, conv.PadHeight, conv.PadWidth);
                long sampleIn = conv.InChannels * x.shape[2] * x.shape[3], sampleOut = outChannels * positions;
                ProbeKernels.DirectConvRows(
                    shape, (float*)HostTensors.Address(hostX) + (start * sampleIn), (float*)HostTensors.Address(hostD) + (start * sampleOut),
                    count, (float*)HostTensors.Address(rows), p, options.Threads);
                if (bias)
                {
                    rows.narrow(1, outChannels * dIn, outChannels).copy_(HostTensors.Host(di.sum(dim: 2), ScalarType.Float32));
                }

                return rows;
            }

            var parts = new List<Tensor>(2);
            if (weight)
            {
                Tensor a = Unfold(x.narrow(0, start, count), conv);
                parts.Add(bmm(di, a.transpose(1, 2)).reshape(count, -1));
            }

            if (bias)
            {
                parts.Add(di.sum(dim: 2));
            }

            return parts.Count == 1 ? parts[0].contiguous() : cat(parts, 1);
        }

        long scratch = direct ? 0 : 4 * dIn * positions;
        return GramProduct.FromRows(Rows, batch, p, scratch, options, lowerOnly: true).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether a conv layer's rows come from the direct AVX-512 kernel: asked for (refused without AVX-512F; on a
    /// device its input and output gradient are then copied to the host), or by default where it applies (AVX-512F,
    /// dilation 1, tensors on the host), where it was measured 1.2-2.8x faster per ResNet-8 layer than the
    /// alternatives in the native engine. Otherwise im2col, by tensor operations wherever the tensors are; the native
    /// engine's grouped-convolution kernel is not on TorchSharp.
    /// </summary>
    public static bool UsesDirectKernel(ConvGeometry conv, ConvKernel kernel, DeviceType device)
    {
        bool applies = ProbeKernels.Avx512Available && conv.DilationHeight == 1 && conv.DilationWidth == 1;
        return kernel switch
        {
            ConvKernel.Direct when !applies => throw new ArgumentException(
                "The direct conv kernel needs a CPU with AVX-512F and an undilated convolution; use auto or unfold."),
            ConvKernel.Direct => true,
            ConvKernel.Auto => applies && HostTensors.Placement(device, tensorOperations: true) == KernelPlacement.HostKernel,
            ConvKernel.Unfold => false,
            _ => throw new ArgumentException($"The {kernel} conv kernel is not available on the TorchSharp engine; use auto, unfold or direct."),
        };
    }

    private static Tensor Unfold(Tensor x, ConvGeometry g) => nn.functional.unfold(
        x, (g.KernelHeight, g.KernelWidth), (g.DilationHeight, g.DilationWidth), (g.PadHeight, g.PadWidth), (g.StrideHeight, g.StrideWidth));

    /// <summary>
    /// Ghost: ⟨g_i, g_j⟩ = Σ_{t,s} (δ_{i,t}·δ_{j,s})(a_{i,t}·a_{j,s}), over blocks of samples that keep two (nT x nT)
    /// float64 matrices under the cap.
    /// </summary>
    private static Tensor ConvGhostGram(ProbeSite site, long batch, GramOptions options)
    {
        using var scope = NewDisposeScope();
        ConvGeometry conv = site.Geometry;
        Tensor x = site.Input!;
        Tensor d = (site.OutputGradient!.to(ScalarType.Float64) * (double)batch).reshape(batch, conv.OutChannels, -1);
        long positions = d.shape[2];
        bool weight = WeightTrainable(site);
        // F̃'s share on the host; the blocks are computed where the tensors are (tensor operations) and copied in.
        Tensor gram = zeros([batch, batch], ScalarType.Float64);
        if (weight)
        {
            Tensor a = Unfold(x, conv).to(ScalarType.Float64);
            long perPair = 2 * positions * positions * 8;
            long block = Math.Min(batch, Math.Max(1, (long)Math.Sqrt((double)options.MemoryCapBytes / perPair)));
            Tensor Flat(Tensor t, long start, long count) => t.narrow(0, start, count).permute(0, 2, 1).reshape(count * positions, -1);
            for (long i0 = 0; i0 < batch; i0 += block)
            {
                using var outer = NewDisposeScope();
                long ni = Math.Min(block, batch - i0);
                Tensor ai = Flat(a, i0, ni), di = Flat(d, i0, ni);
                for (long j0 = i0; j0 < batch; j0 += block)
                {
                    using var inner = NewDisposeScope();
                    long nj = Math.Min(block, batch - j0);
                    Tensor product = (ai.mm(Flat(a, j0, nj).t()) * di.mm(Flat(d, j0, nj).t())).reshape(ni, positions, nj, positions).sum([1, 3]);
                    gram.narrow(0, i0, ni).narrow(1, j0, nj).copy_(product);
                    if (j0 != i0)
                    {
                        gram.narrow(0, j0, nj).narrow(1, i0, ni).copy_(product.t());
                    }
                }
            }
        }

        if (site.HasBias)
        {
            gram.add_(GramProduct.Of(d.sum(dim: 2), options));
        }

        return gram.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Path-wise per-sample gradients of BatchNorm: γ_i = Σ_t δ_{i,t} x̂_{i,t}, β_i = Σ_t δ_{i,t}, with x̂ normalised by
    /// the statistics the forward used (the batch's in training mode, recomputed here in float64; the running ones in
    /// eval mode). Their columns sum to B times the batch gradient.
    /// </summary>
    private static Tensor BatchNormGram(ProbeSite site, long batch, GramOptions options)
    {
        // One pass of our kernel over the float32 input and gradient, every product and sum in float64: per sample and
        // channel, around a shift K (the running mean, close to the batch mean), S_x = Σ(x − K), S_xx = Σ(x − K)²,
        // S_dx = Σ δ(x − K), S_d = Σ δ. Then, with m = mean − K (0 in eval mode, where K is the mean),
        // γ_i = (S_dx − m S_d)·invstd and β_i = S_d; in training mode the batch variance is Σ S_xx / N − m².
        using var scope = NewDisposeScope();
        long channels = site.Input!.shape[1];
        long positions = site.Input.numel() / (batch * channels);
        Tensor x = HostTensors.Host(site.Input, ScalarType.Float32);
        Tensor g = HostTensors.Host(site.OutputGradient!, ScalarType.Float32);
        if (!site.Training && (site.RunningMean is null || site.RunningVariance is null))
        {
            throw new InvalidOperationException($"The BatchNorm layer {site.Name} is in eval mode without running statistics.");
        }

        var shift = new double[channels];
        double[]? runningVariance = null;
        if (site.RunningMean is not null)
        {
            HostTensors.Host(site.RunningMean, ScalarType.Float64).bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(shift.AsSpan()));
        }

        if (site.RunningVariance is not null)
        {
            runningVariance = new double[channels];
            HostTensors.Host(site.RunningVariance, ScalarType.Float64).bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(runningVariance.AsSpan()));
        }

        long cells = batch * channels;
        var sumX = new double[cells];
        var sumXX = new double[cells];
        var sumDX = new double[cells];
        var sumD = new double[cells];
        fixed (double* k = shift, sx = sumX, sxx = sumXX, sdx = sumDX, sd = sumD)
        {
            ProbeKernels.BatchNormSums(
                (float*)HostTensors.Address(x), (float*)HostTensors.Address(g), batch, channels, positions, k, options.Kernel, options.Threads,
                sx, sxx, sdx, sd);
        }

        var offset = new double[channels];
        var invstd = new double[channels];
        double count = (double)batch * positions;
        for (long c = 0; c < channels; c++)
        {
            if (site.Training)
            {
                double totalX = 0, totalXX = 0;
                for (long i = 0; i < batch; i++)
                {
                    totalX += sumX[(i * channels) + c];
                    totalXX += sumXX[(i * channels) + c];
                }

                double m = totalX / count;
                offset[c] = m;
                invstd[c] = 1.0 / Math.Sqrt(Math.Max(0.0, (totalXX / count) - (m * m)) + site.Epsilon);  // biased, as the forward
            }
            else
            {
                invstd[c] = 1.0 / Math.Sqrt(runningVariance![c] + site.Epsilon);
            }
        }

        // δ = B·∂L/∂(output): the scale joins here, in float64.
        bool weight = WeightTrainable(site), bias = site.HasBias;
        long width = (weight ? channels : 0) + (bias ? channels : 0);
        var factors = new double[batch * width];
        for (long i = 0; i < batch; i++)
        {
            for (long c = 0; c < channels; c++)
            {
                long cell = (i * channels) + c;
                long column = 0;
                if (weight)
                {
                    factors[(i * width) + c] = (sumDX[cell] - (offset[c] * sumD[cell])) * invstd[c] * batch;
                    column = channels;
                }

                if (bias)
                {
                    factors[(i * width) + column + c] = sumD[cell] * batch;
                }
            }
        }

        return GramProduct.Of(tensor(factors, [batch, width], ScalarType.Float64), options, lowerOnly: true).MoveToOuterDisposeScope();
    }
}
