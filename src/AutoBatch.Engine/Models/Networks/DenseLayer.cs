using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// A DenseNet layer (Huang et al.): BN-ReLU-conv3x3 producing <c>growth</c> channels, optionally after a
/// BN-ReLU-conv1x1 bottleneck of 4·growth channels; its output is concatenated to its input.
/// </summary>
public sealed class DenseLayer : nn.Module<Tensor, Tensor>
{
    private readonly KernelBatchNorm2d _bn1;
    private readonly FusedConv2d _conv1;
    private readonly KernelBatchNorm2d? _bn2;
    private readonly FusedConv2d? _conv2;

    /// <summary>Builds the layer (initialised from TorchSharp's global generator).</summary>
    public DenseLayer(long inputs, long growth, bool bottleneck)
        : base(nameof(DenseLayer))
    {
        _bn1 = Layers.BatchNorm(inputs);
        register_module("bn1", _bn1);
        if (bottleneck)
        {
            _conv1 = Layers.Conv(inputs, 4 * growth, 1);
            register_module("conv1", _conv1);
            _bn2 = Layers.BatchNorm(4 * growth);
            register_module("bn2", _bn2);
            _conv2 = Layers.Conv(4 * growth, growth, 3);
            register_module("conv2", _conv2);
        }
        else
        {
            _conv1 = Layers.Conv(inputs, growth, 3);
            register_module("conv1", _conv1);
        }
    }

    /// <summary>
    /// Does nothing: the constructor registers every child explicitly under its PyTorch name. TorchSharp's default
    /// would also register each field under the field's own name (<c>_conv1</c>), a second name for the same tensors.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        Tensor y = _conv1.call(nn.functional.relu(_bn1.call(input)));
        if (_conv2 is not null)
        {
            y = _conv2.call(nn.functional.relu(_bn2!.call(y)));
        }

        return cat([input, y], 1);
    }
}
