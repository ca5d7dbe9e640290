using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Probe;

/// <summary>
/// The path the probe reports for each layer against the cost model (docs/DESIGN.md), worked out from ResNet-8's shapes
/// (not read from the engine): ghost ~ B²T²(d_in + d_out) against materialise ~ B·T·d_in·d_out + B²·d_in·d_out, the
/// materialised convs fused into the backward unless the unfold kernel is asked for, BatchNorm always materialised.
/// </summary>
public sealed class LayerPathTests
{
    private const int Batch = 8;

    /// <summary>ResNet-8's probed layers in order, with d_in, d_out and T on H x W inputs (0 for BatchNorm).</summary>
    private static (string Name, long DIn, long DOut, long Positions)[] ResNet8Layers(int side)
    {
        long t1 = (long)side * side;
        long s2 = (side + 1) / 2, s3 = (s2 + 1) / 2;  // 3x3 convolutions with padding 1 and stride 2
        long t2 = s2 * s2, t3 = s3 * s3;
        return
        [
            ("conv1", 9, 16, t1), ("bn1", 0, 0, 0),
            ("layer1.0.conv1", 144, 16, t1), ("layer1.0.bn1", 0, 0, 0), ("layer1.0.conv2", 144, 16, t1), ("layer1.0.bn2", 0, 0, 0),
            ("layer2.0.conv1", 144, 32, t2), ("layer2.0.bn1", 0, 0, 0), ("layer2.0.conv2", 288, 32, t2), ("layer2.0.bn2", 0, 0, 0),
            ("layer3.0.conv1", 288, 64, t3), ("layer3.0.bn1", 0, 0, 0), ("layer3.0.conv2", 576, 64, t3), ("layer3.0.bn2", 0, 0, 0),
            ("fc", 64, 10, 1),
        ];
    }

    private static bool GhostIsCheaper(long dIn, long dOut, long t)
    {
        double b = Batch;
        double ghost = b * b * t * t * (dIn + dOut);
        double materialise = (b * t * dIn * dOut) + (b * b * dIn * dOut);
        return ghost <= materialise;
    }

    private static IReadOnlyList<LayerPath> Probe(int side, ProbeSettings settings)
    {
        var shape = new InputShape(1, side, side);
        using var net = Network.Create(ModelSpec.Parse("resnet8", shape, 10), SgdSettings.Paper, seed: 1);
        Assert.That(net.ProbeLayerNames, Is.EqualTo(ResNet8Layers(side).Select(l => l.Name)));
        (float[] x, long[] y) = TestBatches.Random(shape, Batch, 10, seed: 2);
        ProbeReading r = net.Probe(x, y, 0.1, trainMode: true, settings);
        Assert.That(r.Status, Is.EqualTo(ProbeStatus.Ok));
        Assert.That(r.LayerPaths!.Count(p => p == LayerPath.Fused), Is.EqualTo(r.FusedLayers), "paths against the fused-layer count");
        return r.LayerPaths!;
    }

    [TestCase(28)]
    [TestCase(4)] // T = 16, 4 and 1 by stage: the cost model sends the later convs to the ghost path
    public void AutoFollowsTheCostModel_MaterialisedConvsFused(int side)
    {
        IEnumerable<LayerPath> expected = ResNet8Layers(side).Select(l =>
            l.Positions == 0 ? LayerPath.Rows
            : GhostIsCheaper(l.DIn, l.DOut, l.Positions) ? LayerPath.Ghost
            : l.Name == "fc" ? LayerPath.Rows
            : LayerPath.Fused);
        IReadOnlyList<LayerPath> paths = Probe(side, new ProbeSettings());
        Assert.That(paths, Is.EqualTo(expected));
        if (side == 4)
        {
            Assert.That(paths, Has.Some.EqualTo(LayerPath.Ghost).And.Some.EqualTo(LayerPath.Fused), "a mix, or the case tests nothing");
        }
    }

    [Test]
    public void TheUnfoldKernelKeepsMaterialisedConvsAfterTheBackward()
    {
        IReadOnlyList<LayerPath> paths = Probe(28, new ProbeSettings { ConvKernel = ConvKernel.Unfold });
        Assert.That(paths, Has.None.EqualTo(LayerPath.Fused));
        Assert.That(paths.Where((p, i) => ResNet8Layers(28)[i].Name.Contains("conv", StringComparison.Ordinal)), Is.All.EqualTo(LayerPath.Rows));
    }

    [TestCase(GramMode.Ghost, LayerPath.Ghost)]
    [TestCase(GramMode.Materialise, LayerPath.Fused)]
    public void AForcedModeGivesEveryConvThatPath_BatchNormStaysMaterialised(GramMode mode, LayerPath conv)
    {
        IReadOnlyList<LayerPath> paths = Probe(28, new ProbeSettings { Mode = mode });
        var layers = ResNet8Layers(28);
        Assert.Multiple(() =>
        {
            for (int i = 0; i < layers.Length; i++)
            {
                LayerPath expected = layers[i].Positions == 0 ? LayerPath.Rows
                    : layers[i].Name == "fc" ? (mode == GramMode.Ghost ? LayerPath.Ghost : LayerPath.Rows)
                    : conv;
                Assert.That(paths[i], Is.EqualTo(expected), layers[i].Name);
            }
        });
    }
}
