using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// A square-padded 2-D convolution without bias (the built-in networks' convolution) whose backward, on a probed step
/// where the probe admits it, computes each sample's weight gradient (the probe's rows for this layer) and takes their
/// sum as the batch weight gradient: the rows are then nearly free, where computing them after the backward costs as
/// much again as the weight gradient (the "fused" path). Otherwise an ordinary convolution. Parameter name
/// <c>weight</c>, shape (O, C, kh, kw), initialised as TorchSharp's Conv2d initialises it, so state and seeds are those
/// of a Conv2d.
/// </summary>
public sealed class FusedConv2d : nn.Module<Tensor, Tensor>
{
    private Parameter _weight;

    /// <summary>Creates the layer with PyTorch's default initialisation (Kaiming-uniform, a = √5).</summary>
    public FusedConv2d(long inputs, long outputs, long kernel, long stride, long padding)
        : base("Conv2d")
    {
        _weight = new Parameter(empty([outputs, inputs, kernel, kernel]));
        using (no_grad())
        {
            nn.init.kaiming_uniform_(_weight, Math.Sqrt(5));
        }

        register_parameter("weight", _weight);
        Geometry = new ConvGeometry(inputs, outputs, kernel, kernel, stride, stride, padding, padding, 1, 1);
    }

    /// <summary>The weight, (O, C, kh, kw).</summary>
    /// <remarks>
    /// The setter is for TorchSharp: moving the module to another device (<c>Module.to</c>) hands the moved parameter
    /// to the public property of its name, which must register it, as TorchSharp's own layers' setters do. Without a
    /// setter the move failed ("Property set method not found"); with one that did not register, the state (and the
    /// optimiser) kept the weight on the CPU while the layer convolved with the moved one.
    /// </remarks>
    public Parameter weight
    {
        get => _weight;
        private set
        {
            if (value.Handle != _weight.Handle)
            {
                _weight.Dispose();
                _weight = (Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof(weight), _weight);
            }
        }
    }

    internal ConvGeometry Geometry { get; }

    /// <summary>Set by the probe for the forward of a probed step: where this layer's rows go, if it takes the fused path.</summary>
    internal FusionPlan? Plan { get; set; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (Plan is { } plan && is_grad_enabled() && _weight.requires_grad && plan.Admit(this, input))
        {
            return FusedConvFunction.apply(input, _weight, this);
        }

        return Convolve(input, _weight);
    }

    /// <summary>Does nothing: the weight is registered explicitly in the constructor.</summary>
    protected override void RegisterComponents()
    {
    }

    internal Tensor Convolve(Tensor input, Tensor weight) => nn.functional.conv2d(
        input, weight, null, [Geometry.StrideHeight, Geometry.StrideWidth], [Geometry.PadHeight, Geometry.PadWidth]);
}
