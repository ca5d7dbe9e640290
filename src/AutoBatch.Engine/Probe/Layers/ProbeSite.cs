using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// One probed layer: what its forward captured on a probed step (its input, and its output, whose gradient the
/// step's backward also computes), and the BatchNorm state the probe must read as the forward saw it.
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

    /// <summary>The layer's output on the probed forward (the backward is asked for its gradient).</summary>
    public Tensor? Output { get; set; }

    /// <summary>∂L/∂(output) of the mean batch loss, from the step's backward.</summary>
    public Tensor? OutputGradient { get; set; }

    /// <summary>Conv only, fused path: the B x p per-sample gradients of the mean loss its backward computed.</summary>
    public Tensor? Rows { get; set; }

    /// <summary>Conv only, fused path: the backward's seconds on those rows and their sum (the weight gradient).</summary>
    public double RowsSeconds { get; set; }

    /// <summary>Conv only: whether this step's forward took the fused path.</summary>
    public bool Fused { get; set; }

    /// <summary>Whether the step's loss did not reach the layer (none of its trained parameters has a gradient): it adds nothing to F̃.</summary>
    public bool Unreached { get; set; }

    /// <summary>The convolution's geometry (Conv sites).</summary>
    public ConvGeometry Geometry => ConvGeometry.Of(Module);

    /// <summary>BatchNorm only: whether the forward normalised with batch statistics.</summary>
    public bool Training { get; set; }

    /// <summary>
    /// BatchNorm only: the running mean. In eval mode the normalisation's mean (the forward does not move it); in
    /// training mode only the shift around which the per-sample sums are taken, for which the value after the
    /// forward's update serves as well as the one before.
    /// </summary>
    public Tensor? RunningMean { get; set; }

    /// <summary>BatchNorm only: the running variance as the forward saw it.</summary>
    public Tensor? RunningVariance { get; set; }

    /// <summary>BatchNorm only: ε of the normalisation.</summary>
    public double Epsilon => Module is BatchNorm bn ? bn.eps : 0;

    /// <summary>Whether the layer has a bias term whose per-sample gradient joins the weight's.</summary>
    public bool HasBias => Module switch
    {
        Linear l => l.bias is not null && l.bias.requires_grad,
        Conv2d c => c.bias is not null && c.bias.requires_grad,
        FusedConv2d => false,
        BatchNorm b => b.bias is not null && b.bias.requires_grad,
        _ => false,
    };

    /// <summary>Whether the BatchNorm state was copied at the step (a background probe), so the probe must not read it anew.</summary>
    public bool Frozen { get; private set; }

    /// <summary>
    /// A copy for a probe that runs after the step has moved on (in the background): the captured tensors are taken out
    /// of the step's dispose scope (the caller disposes them with <see cref="DisposeTensors"/>) and the BatchNorm mode
    /// and running statistics are copied as the forward saw them.
    /// </summary>
    public ProbeSite Freeze()
    {
        var copy = new ProbeSite(Kind, Name, Module)
        {
            Input = Input?.DetachFromDisposeScope(),
            OutputGradient = OutputGradient?.DetachFromDisposeScope(),
            Rows = Rows?.DetachFromDisposeScope(),
            RowsSeconds = RowsSeconds,
            Fused = Fused,
            Unreached = Unreached,
            Frozen = true,
        };
        if (Module is BatchNorm norm)
        {
            copy.Training = norm.training;
            copy.RunningMean = norm.running_mean?.detach().clone().DetachFromDisposeScope();
            copy.RunningVariance = norm.running_var?.detach().clone().DetachFromDisposeScope();
        }

        return copy;
    }

    /// <summary>Disposes the tensors of a <see cref="Freeze"/>d copy.</summary>
    public void DisposeTensors()
    {
        Input?.Dispose();
        OutputGradient?.Dispose();
        Rows?.Dispose();
        RunningMean?.Dispose();
        RunningVariance?.Dispose();
        Clear();
    }

    public void Clear()
    {
        Rows = null;
        RowsSeconds = 0;
        Fused = false;
        Unreached = false;
        Input = null;
        Output = null;
        OutputGradient = null;
        RunningMean = null;
        RunningVariance = null;
    }
}
