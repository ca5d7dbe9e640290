using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>The residual shortcut's and DenseNet transition's pooling (Layers.AveragePool) against LibTorch's avg_pool2d (ceil mode): the same bits, forward and backward.</summary>
public sealed class ResidualShortcutTests
{
    [TestCase(28, 28)]
    [TestCase(14, 6)]
    [TestCase(7, 7)]
    [TestCase(8, 5)]
    public void AveragePool_GivesAvgPool2dsBits_ForwardAndBackward(int height, int width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)((height * 100) + width));
        Tensor input = randn([3, 4, height, width], generator: generator) * 3;
        Tensor ours = input.detach().clone().requires_grad_(true), theirs = input.detach().clone().requires_grad_(true);
        Tensor y = Layers.AveragePool(ours);
        Tensor expected = nn.functional.avg_pool2d(theirs, 2, 2, ceil_mode: true);
        Assert.That(y.shape, Is.EqualTo(expected.shape));
        Assert.That(y.data<float>().ToArray(), Is.EqualTo(expected.data<float>().ToArray()), "forward");

        Tensor upstream = randn(expected.shape, generator: generator);
        y.backward([upstream]);
        expected.backward([upstream]);
        Assert.That(ours.grad!.data<float>().ToArray(), Is.EqualTo(theirs.grad!.data<float>().ToArray()), "backward");
    }

    [Test]
    public unsafe void TheKernel_RefusesAnOddSize_NamingWhatItNeeds()
    {
        float[] x = new float[2 * 3 * 4], y = new float[2 * 3 * 4];
        fixed (float* px = x, py = y)
        {
            float* input = px, output = py;
            Assert.That(
                () => PoolingKernels.Forward(input, 2, 3, 4, output, 1),
                Throws.ArgumentException.With.Message.Contains("height and width even"));
        }
    }
}
