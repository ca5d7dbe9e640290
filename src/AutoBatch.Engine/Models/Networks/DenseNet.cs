using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// DenseNet (Huang et al.) as the paper uses it: a conv3x3 stem, dense blocks of <see cref="DenseLayer"/>s joined by
/// <see cref="DenseTransition"/>s, a final BN-ReLU, global average pooling and a linear classifier. State-dict names:
/// <c>conv0</c>, <c>block1.0.bn1</c>, ..., <c>trans1.bn</c>, ..., <c>bn_final</c>, <c>fc</c>.
/// </summary>
public sealed class DenseNet : nn.Module<Tensor, Tensor>
{
    private readonly FusedConv2d _stem;
    private readonly List<nn.Module<Tensor, Tensor>> _body = [];
    private readonly KernelBatchNorm2d _final;
    private readonly Linear _fc;

    /// <summary>Builds the layers in PyTorch's construction order (so a seed draws the same weights).</summary>
    /// <param name="inputChannels">Image channels.</param>
    /// <param name="classes">Output classes.</param>
    /// <param name="layers">Dense layers per block.</param>
    /// <param name="growth">Growth rate per block.</param>
    /// <param name="initChannels">The stem's output channels.</param>
    /// <param name="bottleneck">Whether each layer has a 1x1 bottleneck.</param>
    /// <param name="compression">Fraction of channels a transition keeps, in (0, 1].</param>
    public DenseNet(
        long inputChannels, int classes, IReadOnlyList<int> layers, IReadOnlyList<int> growth, int initChannels, bool bottleneck, double compression)
        : base(nameof(DenseNet))
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(growth);
        long channels = initChannels;
        _stem = Layers.Conv(inputChannels, channels, 3);
        register_module("conv0", _stem);
        for (int b = 0; b < layers.Count; b++)
        {
            var block = new DenseLayer[layers[b]];
            for (int l = 0; l < layers[b]; l++)
            {
                block[l] = new DenseLayer(channels, growth[b], bottleneck);
                channels += growth[b];
            }

            // Filled before it is registered: a ModuleList registers its children once, when it is registered.
            register_module($"block{b + 1}", new ModuleList<DenseLayer>(block));
            _body.AddRange(block);

            if (b + 1 < layers.Count)
            {
                long outputs = Math.Max(1, (long)Math.Floor(channels * compression));
                var transition = new DenseTransition(channels, outputs);
                register_module($"trans{b + 1}", transition);
                _body.Add(transition);
                channels = outputs;
            }
        }

        _final = Layers.BatchNorm(channels);
        register_module("bn_final", _final);
        _fc = nn.Linear(channels, classes);
        register_module("fc", _fc);
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
        Tensor x = _stem.call(input);
        foreach (nn.Module<Tensor, Tensor> part in _body)
        {
            x = part.call(x);
        }

        x = nn.functional.relu(_final.call(x));
        return _fc.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));
    }
}
