using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Each probed layer's B x B float64 contribution to F̃ = Σ_layers G_layer, G_ij = ⟨g_i, g_j⟩ over the layer's
/// parameters, with g_i the gradient of sample i's own loss term: δ_i = B·∂L/∂(output)_i for the mean batch loss L
/// (for BatchNorm in training mode the path-wise share of sample i, paper's code). Never forms J for the whole model.
/// </summary>
internal static class LayerGrams
{
    /// <summary>How the layer's Gram is formed: BatchNorm always from rows; Linear/Conv by the mode or the cost model.</summary>
    public static LayerPath PathOf(ProbeSite site, long batch, GramMode mode)
    {
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

    /// <summary>The layer's Gram (B x B float64, both triangles) from what its forward and backward captured.</summary>
    public static Tensor Compute(ProbeSite site, long batch, GramOptions options)
    {
        if (site.Input is null || site.OutputGradient is null)
        {
            throw new InvalidOperationException($"The probed layer {site.Name} captured no input or output gradient.");
        }

        using var noGrad = no_grad();
        LayerPath path = PathOf(site, batch, options.Mode);
        return site.Kind switch
        {
            ProbeSiteKind.Linear => LinearGram(site, batch, path, options),
            ProbeSiteKind.Conv => path == LayerPath.Ghost ? ConvGhostGram(site, batch, options) : ConvRowsGram(site, batch, options),
            _ => BatchNormGram(site, batch, options),
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

        var conv = (Conv2d)site.Module;
        long positions = site.OutputGradient is { } g ? g.shape[2] * g.shape[3] : 1;
        return (conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1], conv.out_channels, positions);
    }

    private static bool WeightTrainable(ProbeSite site) => site.Module switch
    {
        Linear l => l.weight!.requires_grad,
        Conv2d c => c.weight!.requires_grad,
        BatchNorm2d b => b.weight is { requires_grad: true },
        _ => false,
    };

    private static Tensor LinearGram(ProbeSite site, long batch, LayerPath path, GramOptions options)
    {
        using var scope = NewDisposeScope();
        Tensor a = site.Input!.reshape(batch, -1);
        Tensor grad = site.OutputGradient!.reshape(batch, -1);
        bool weight = WeightTrainable(site), bias = site.HasBias;
        if (path == LayerPath.Ghost)
        {
            // T = 1: g_i = δ_i a_iᵀ (and δ_i for the bias), so ⟨g_i, g_j⟩ = (δ_i·δ_j)(a_i·a_j + 1). The factor B² of
            // δ = B·∂L/∂(output) multiplies the float64 Gram, not the float32 gradients.
            Tensor dd = GramProduct.Of(grad, options).mul_((double)batch * batch);
            Tensor inputs = weight ? GramProduct.Of(a, options) : zeros_like(dd);
            if (bias)
            {
                inputs.add_(1.0);
            }

            return dd.mul_(inputs).MoveToOuterDisposeScope();
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

        return GramProduct.FromRows(Rows, batch, p, 0, options).MoveToOuterDisposeScope();
    }

    private static Tensor ConvRowsGram(ProbeSite site, long batch, GramOptions options)
    {
        using var scope = NewDisposeScope();
        var conv = (Conv2d)site.Module;
        Tensor x = site.Input!.contiguous();
        Tensor d = (site.OutputGradient! * (double)batch).contiguous();
        long outChannels = conv.out_channels;
        long positions = d.shape[2] * d.shape[3];
        long dIn = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1];
        bool weight = WeightTrainable(site), bias = site.HasBias;
        long p = (weight ? outChannels * dIn : 0) + (bias ? outChannels : 0);

        // Per-sample gradients g_i = Σ_t δ_{i,t} a_{i,t}ᵀ by im2col and a batched product, in PyTorch's (O, C, kh, kw)
        // weight order. Scratch per sample: its im2col block.
        Tensor Rows(long start, long count)
        {
            Tensor di = d.narrow(0, start, count).reshape(count, outChannels, positions);
            var parts = new List<Tensor>(2);
            if (weight)
            {
                Tensor a = nn.functional.unfold(x.narrow(0, start, count), (conv.kernel_size[0], conv.kernel_size[1]),
                    (conv.dilation[0], conv.dilation[1]), (conv.padding![0], conv.padding[1]), (conv.stride[0], conv.stride[1]));
                parts.Add(bmm(di, a.transpose(1, 2)).reshape(count, -1));
            }

            if (bias)
            {
                parts.Add(di.sum(dim: 2));
            }

            return parts.Count == 1 ? parts[0].contiguous() : cat(parts, 1);
        }

        return GramProduct.FromRows(Rows, batch, p, 4 * dIn * positions, options).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Ghost: ⟨g_i, g_j⟩ = Σ_{t,s} (δ_{i,t}·δ_{j,s})(a_{i,t}·a_{j,s}), over blocks of samples that keep two (nT x nT)
    /// float64 matrices under the cap.
    /// </summary>
    private static Tensor ConvGhostGram(ProbeSite site, long batch, GramOptions options)
    {
        using var scope = NewDisposeScope();
        var conv = (Conv2d)site.Module;
        Tensor x = site.Input!;
        Tensor d = (site.OutputGradient!.to(ScalarType.Float64) * (double)batch).reshape(batch, conv.out_channels, -1);
        long positions = d.shape[2];
        bool weight = WeightTrainable(site);
        Tensor gram = zeros([batch, batch], ScalarType.Float64);
        if (weight)
        {
            Tensor a = nn.functional.unfold(x, (conv.kernel_size[0], conv.kernel_size[1]), (conv.dilation[0], conv.dilation[1]),
                (conv.padding![0], conv.padding[1]), (conv.stride[0], conv.stride[1])).to(ScalarType.Float64);
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
        using var scope = NewDisposeScope();
        long channels = site.Input!.shape[1];
        Tensor x = site.Input.to(ScalarType.Float64).reshape(batch, channels, -1);
        Tensor d = (site.OutputGradient!.to(ScalarType.Float64) * (double)batch).reshape(batch, channels, -1);
        Tensor mean, invstd;
        if (site.Training)
        {
            mean = x.mean([0, 2]);
            Tensor variance = (x - mean.view(1, channels, 1)).square().mean([0, 2]);  // biased, as the forward normalises
            invstd = (variance + site.Epsilon).rsqrt();
        }
        else
        {
            mean = site.RunningMean!.to(ScalarType.Float64);
            invstd = (site.RunningVariance!.to(ScalarType.Float64) + site.Epsilon).rsqrt();
        }

        var parts = new List<Tensor>(2);
        if (WeightTrainable(site))
        {
            parts.Add((d * (x - mean.view(1, channels, 1))).sum(dim: 2) * invstd.view(1, channels));
        }

        if (site.HasBias)
        {
            parts.Add(d.sum(dim: 2));
        }

        Tensor factors = parts.Count == 1 ? parts[0] : cat(parts, 1);
        return GramProduct.Of(factors, options).MoveToOuterDisposeScope();
    }
}
