using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// The probed layers of a model and the forward hooks that capture what the probe needs on a probed step: each
/// layer's input, and its output, so that the same backward that computes the step's gradient also gives ∂L/∂(output)
/// (TorchSharp has no backward hooks: the network asks <c>autograd.grad</c> for the outputs' gradients beside the
/// parameters'). Hooks fire only through <c>Module.call</c>.
/// </summary>
internal sealed class ProbeHooks : IDisposable
{
    private readonly List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> _removers = [];

    private ProbeHooks(IReadOnlyList<ProbeSite> sites) => Sites = sites;

    /// <summary>The probed layers in the model's order (the order of per-layer traces).</summary>
    public IReadOnlyList<ProbeSite> Sites { get; }

    /// <summary>Whether the hooks capture (set for the forward of a probed step only).</summary>
    public bool Capturing { get; set; }

    /// <summary>
    /// Finds the layers with trainable parameters (Linear, Conv2d with one group and zero padding, BatchNorm2d) by
    /// walking the module tree, and hooks them. A module with trainable parameters of its own that the probe cannot
    /// decompose per sample is refused, naming its path and type. Frozen parameters are not part of F̃.
    /// </summary>
    public static ProbeHooks Attach(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sites = new List<ProbeSite>();
        Walk(model, "", sites);
        var hooks = new ProbeHooks(sites);
        foreach (ProbeSite site in sites)
        {
            var module = (nn.Module<Tensor, Tensor>)site.Module;
            hooks._removers.Add(module.register_forward_hook((_, input, output) =>
            {
                // A fused layer's backward gives the probe its rows: nothing to keep.
                if (hooks.Capturing && output.requires_grad && !site.Fused)
                {
                    site.Input = input.detach();
                    site.Output = output;
                    // The caller gets an alias (a view: the gradient still reaches the kept output), because a caller
                    // may dispose what a layer returns as soon as it has used it: TorchSharp's Sequential does, which
                    // left the probe a disposed handle.
                    return output.alias();
                }

                return output;
            }));
        }

        return hooks;
    }

    /// <summary>
    /// The step's backward: the gradients of <paramref name="parameters"/> (set as their <c>grad</c>, as
    /// <c>backward()</c> sets them), and on a probed step the gradient of every captured layer output
    /// (<see cref="ProbeSite.OutputGradient"/>) from the same pass. Those come from <c>autograd.grad</c>, which hands
    /// over the gradients it computed; <c>retain_grad</c> would copy each one (a B x C x H x W tensor per BatchNorm
    /// layer). A probed layer the loss did not reach is marked <see cref="ProbeSite.Unreached"/>.
    /// </summary>
    /// <param name="loss">The scalar loss of the step's forward.</param>
    /// <param name="parameters">The trained parameters, their gradients set to none before the forward.</param>
    /// <param name="probed">Whether the forward captured (a probed step).</param>
    public void Backward(Tensor loss, IReadOnlyList<Tensor> parameters, bool probed)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        ProbeSite[] captured = probed ? [.. Sites.Where(s => s.Output is not null)] : [];
        if (captured.Length == 0)
        {
            loss.backward();
        }
        else
        {
            // allow_unused: a user's model may leave a trainable parameter out of the loss; its gradient stays unset, as
            // backward() leaves it.
            IList<Tensor> gradients = autograd.grad([loss], [.. parameters, .. captured.Select(s => s.Output!)], allow_unused: true);
            for (int i = 0; i < parameters.Count; i++)
            {
                if (!gradients[i].IsInvalid)
                {
                    parameters[i].grad = gradients[i];
                }
            }

            for (int j = 0; j < captured.Length; j++)
            {
                Tensor g = gradients[parameters.Count + j];
                captured[j].OutputGradient = g.IsInvalid ? null : g;
            }
        }

        if (probed)
        {
            foreach (ProbeSite site in Sites)
            {
                site.Unreached = site.Module.parameters(recurse: false).Where(p => p.requires_grad).All(p => p.grad is null);
            }
        }
    }

    /// <summary>Sets the fused path's plan on every fused convolution for the next forward and backward.</summary>
    public void ArmFusion(FusionPlan plan)
    {
        foreach (ProbeSite site in Sites)
        {
            if (site.Module is FusedConv2d conv)
            {
                conv.Plan = plan;
            }
        }
    }

    /// <summary>
    /// Drops every capture and fusion plan (the tensors stay with the dispose scope that created them, or with a
    /// background probe's frozen copy).
    /// </summary>
    public void Clear()
    {
        foreach (ProbeSite site in Sites)
        {
            site.Clear();
            if (site.Module is FusedConv2d conv)
            {
                conv.Plan = null;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var remover in _removers)
        {
            remover.remove();
        }

        _removers.Clear();
    }

    private static void Walk(nn.Module module, string path, List<ProbeSite> sites)
    {
        bool trainable = module.named_parameters(recurse: false).Any(p => p.parameter.requires_grad);
        switch (module)
        {
            case Linear when trainable:
                sites.Add(new ProbeSite(ProbeSiteKind.Linear, path, module));
                break;
            case Conv2d conv when trainable:
                if (conv.groups != 1 || conv.padding_mode != TorchSharp.PaddingModes.Zeros || conv.padding is null)
                {
                    throw Unsupported(path, module, "a Conv2d is probed with groups = 1 and explicit zero padding only");
                }

                sites.Add(new ProbeSite(ProbeSiteKind.Conv, path, module));
                break;
            case FusedConv2d when trainable:
                sites.Add(new ProbeSite(ProbeSiteKind.Conv, path, module));
                break;
            // TorchSharp's BatchNorm2d and the built-in networks' (Models/Networks/KernelBatchNorm2d): BatchNorms over
            // (N, C, H, W).
            case BatchNorm when trainable && module is not (BatchNorm1d or BatchNorm3d):
                sites.Add(new ProbeSite(ProbeSiteKind.BatchNorm, path, module));
                break;
            default:
                if (trainable)
                {
                    throw Unsupported(path, module, "the probe decomposes the gradients of Linear, Conv2d and BatchNorm2d layers only");
                }

                break;
        }

        foreach ((string name, nn.Module child) in module.named_children())
        {
            Walk(child, path.Length == 0 ? name : path + "." + name, sites);
        }
    }

    private static ArgumentException Unsupported(string path, nn.Module module, string why) => new(
        $"The module '{(path.Length == 0 ? "(root)" : path)}' ({module.GetType().Name}) has trainable parameters the Fisher probe cannot take per sample: {why}. Freeze its parameters (requires_grad = false) to leave them out of F̃, or replace the module.");
}
