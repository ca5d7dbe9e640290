using AutoBatch.Engine.Probe.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>The convolution and BatchNorm layers the convolutional networks are made of, with the paper's settings.</summary>
internal static class Layers
{
    /// <summary>
    /// A square convolution without bias, padded to keep the size at stride 1, initialised He-normal over the fan-out
    /// (He et al. 2015, as the reference ResNet code). The layer's own default initialisation runs first and is then
    /// overwritten, exactly as in PyTorch, so a seed draws the same weights here as there. A <see cref="FusedConv2d"/>:
    /// a Conv2d whose probed backward can also give the probe its per-sample gradients.
    /// </summary>
    public static FusedConv2d Conv(long inputs, long outputs, long kernel, long stride = 1)
    {
        var conv = new FusedConv2d(inputs, outputs, kernel, stride, kernel / 2);
        using (no_grad())
        {
            nn.init.kaiming_normal_(conv.weight, 0.0, nn.init.FanInOut.FanOut, nn.init.NonlinearityType.ReLU);
        }

        return conv;
    }

    /// <summary>
    /// BatchNorm with PyTorch's defaults: eps 1e-5, momentum 0.1, γ = 1, β = 0, running statistics tracked; its
    /// training-mode forward and backward run in our kernels on the host (<see cref="KernelBatchNorm2d"/>).
    /// </summary>
    public static KernelBatchNorm2d BatchNorm(long channels) => new(channels);

    /// <summary>
    /// The 2 x 2 average pooling at stride 2 of the residual shortcut and the DenseNet transition, in ceil mode so that
    /// odd sizes round up as a strided convolution's output does. For an even-sized float32 host tensor our kernel
    /// (<see cref="AveragePoolFunction"/>, the same bits as <c>avg_pool2d</c>): LibTorch 2.10's CPU pooling kernel is
    /// scalar, about 0.5 ms of ResNet-8's 9 ms step at B = 8 forward and backward.
    /// </summary>
    public static Tensor AveragePool(Tensor x) =>
        AveragePoolFunction.Accepts(x) ? AveragePoolFunction.apply(x) : nn.functional.avg_pool2d(x, 2, 2, ceil_mode: true);
}
