using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>Builds the TorchSharp module a <see cref="ModelSpec"/> describes.</summary>
public static class NetworkFactory
{
    /// <summary>
    /// Builds the network with weights drawn from <paramref name="seed"/>: TorchSharp's global generator is seeded,
    /// then the layers are created in PyTorch's order, so the weights equal PyTorch's for the same seed.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        random.manual_seed(seed);
        return spec.Kind switch
        {
            ModelKind.Mlp => new Mlp(spec.Input.Size, spec.Hidden, spec.Classes),
            ModelKind.ResNet => new ResNet(spec.Input.Channels, spec.Classes, spec.ResNetUnits, spec.ResNetBaseWidth, spec.ReluAfterAdd),
            ModelKind.DenseNet => new DenseNet(
                spec.Input.Channels, spec.Classes, spec.DenseLayers, spec.DenseGrowth, spec.DenseInitChannels, spec.DenseBottleneck, spec.DenseCompression),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown model kind."),
        };
    }
}
