using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// One probed layer: what its forward captured on a probed step (its input, and its output, whose gradient the
/// backward retains), and the BatchNorm state the probe must read as the forward saw it.
/// </summary>
internal sealed class ProbeSite
{
    public ProbeSite(ProbeSiteKind kind, string name, nn.Module module)
    {
        Kind = kind;
        Name = name;
        Module = module;
    }

    public ProbeSiteKind Kind { get; }

    /// <summary>The module's path in the model, PyTorch style (<c>layer1.0.conv1</c>).</summary>
    public string Name { get; }

    public nn.Module Module { get; }

    /// <summary>The layer's input on the probed forward (detached).</summary>
    public Tensor? Input { get; set; }

    /// <summary>The layer's output on the probed forward; after the backward its <c>grad</c> is ∂L/∂(output).</summary>
    public Tensor? Output { get; set; }

    /// <summary>∂L/∂(output) of the mean batch loss, taken from <see cref="Output"/> after the backward.</summary>
    public Tensor? OutputGradient { get; set; }

    /// <summary>BatchNorm only: whether the forward normalised with batch statistics.</summary>
    public bool Training { get; set; }

    /// <summary>BatchNorm only: the running mean as the forward saw it (before or after its update: see use).</summary>
    public Tensor? RunningMean { get; set; }

    /// <summary>BatchNorm only: the running variance as the forward saw it.</summary>
    public Tensor? RunningVariance { get; set; }

    /// <summary>BatchNorm only: ε of the normalisation.</summary>
    public double Epsilon => Module is BatchNorm2d bn ? bn.eps : 0;

    /// <summary>Whether the layer has a bias term whose per-sample gradient joins the weight's.</summary>
    public bool HasBias => Module switch
    {
        Linear l => l.bias is not null && l.bias.requires_grad,
        Conv2d c => c.bias is not null && c.bias.requires_grad,
        BatchNorm2d b => b.bias is not null && b.bias.requires_grad,
        _ => false,
    };

    public void Clear()
    {
        Input = null;
        Output = null;
        OutputGradient = null;
        RunningMean = null;
        RunningVariance = null;
    }
}
