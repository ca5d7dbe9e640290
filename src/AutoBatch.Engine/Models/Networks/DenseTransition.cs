using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>A DenseNet transition between blocks: BN-ReLU-conv1x1 (the compression), then a 2x2 average pool.</summary>
public sealed class DenseTransition : nn.Module<Tensor, Tensor>
{
    private readonly KernelBatchNorm2d _bn;
    private readonly FusedConv2d _conv;

    /// <summary>Builds the transition (initialised from TorchSharp's global generator).</summary>
    public DenseTransition(long inputs, long outputs)
        : base(nameof(DenseTransition))
    {
        _bn = Layers.BatchNorm(inputs);
        _conv = Layers.Conv(inputs, outputs, 1);
        register_module("bn", _bn);
        register_module("conv", _conv);
    }

    /// <summary>
    /// Does nothing: the constructor registers every child explicitly under its PyTorch name. TorchSharp's default
    /// would also register each field under the field's own name (<c>_conv1</c>), a second name for the same tensors.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) =>
        Layers.AveragePool(_conv.call(nn.functional.relu(_bn.call(input))));
}
