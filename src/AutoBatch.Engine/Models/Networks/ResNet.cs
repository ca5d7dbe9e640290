using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// The paper's ResNet of depth 6n+2 (Sec. 4): a conv-BN-ReLU stem, three stages of n residual units of widths w, 2w
/// and 4w (the first unit of stages 2 and 3 strided), global average pooling and a linear classifier. State-dict
/// names follow PyTorch: <c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, ..., <c>fc</c>.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly FusedConv2d _stem;
    private readonly KernelBatchNorm2d _stemNorm;
    private readonly ResidualUnit[] _units;
    private readonly Linear _fc;

    /// <summary>Builds the layers in PyTorch's construction order (so a seed draws the same weights).</summary>
    /// <param name="inputChannels">Image channels.</param>
    /// <param name="classes">Output classes.</param>
    /// <param name="unitsPerStage">n, the residual units per stage.</param>
    /// <param name="baseWidth">w, the first stage's channels.</param>
    /// <param name="reluAfterAdd">Whether a ReLU follows each residual addition.</param>
    public ResNet(long inputChannels, int classes, int unitsPerStage, int baseWidth, bool reluAfterAdd)
        : base(nameof(ResNet))
    {
        _stem = Layers.Conv(inputChannels, baseWidth, 3);
        _stemNorm = Layers.BatchNorm(baseWidth);
        register_module("conv1", _stem);
        register_module("bn1", _stemNorm);
        var units = new List<ResidualUnit>();
        long channels = baseWidth;
        for (int stage = 0; stage < 3; stage++)
        {
            long width = (long)baseWidth << stage;
            var stageUnits = new ResidualUnit[unitsPerStage];
            for (int u = 0; u < unitsPerStage; u++)
            {
                stageUnits[u] = new ResidualUnit(channels, width, stage > 0 && u == 0 ? 2 : 1, reluAfterAdd);
                channels = width;
            }

            // Filled before it is registered: a ModuleList registers its children once, when it is registered.
            register_module($"layer{stage + 1}", new ModuleList<ResidualUnit>(stageUnits));
            units.AddRange(stageUnits);
        }

        _units = [.. units];
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
        Tensor x = nn.functional.relu(_stemNorm.call(_stem.call(input)));
        foreach (ResidualUnit unit in _units)
        {
            x = unit.call(x);
        }

        return _fc.call(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1));
    }
}
