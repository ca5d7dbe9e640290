using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// The residual unit of the paper (Sec. 4): conv3x3-BN-ReLU-conv3x3-BN added to a parameter-free shortcut, a 2x2
/// average pool when the unit is strided and zero-padded channels when it widens (He et al.'s "option A").
/// </summary>
public sealed class ResidualUnit : nn.Module<Tensor, Tensor>
{
    private readonly FusedConv2d _conv1;
    private readonly KernelBatchNorm2d _bn1;
    private readonly FusedConv2d _conv2;
    private readonly KernelBatchNorm2d _bn2;
    private readonly long _extraChannels;
    private readonly long _stride;
    private readonly bool _reluAfterAdd;

    /// <summary>Builds the unit's layers (initialised from TorchSharp's global generator).</summary>
    public ResidualUnit(long inputs, long outputs, long stride, bool reluAfterAdd)
        : base(nameof(ResidualUnit))
    {
        _conv1 = Layers.Conv(inputs, outputs, 3, stride);
        _bn1 = Layers.BatchNorm(outputs);
        _conv2 = Layers.Conv(outputs, outputs, 3);
        _bn2 = Layers.BatchNorm(outputs);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        _extraChannels = outputs - inputs;
        _stride = stride;
        _reluAfterAdd = reluAfterAdd;
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
        Tensor y = nn.functional.relu(_bn1.call(_conv1.call(input)));
        y = _bn2.call(_conv2.call(y));
        Tensor shortcut = input;
        if (_stride > 1)
        {
            shortcut = Layers.AveragePool(shortcut);
        }

        if (_extraChannels > 0)
        {
            shortcut = nn.functional.pad(shortcut, [0, 0, 0, 0, 0, _extraChannels]);
        }

        Tensor sum = y + shortcut;
        return _reluAfterAdd ? nn.functional.relu(sum) : sum;
    }
}
