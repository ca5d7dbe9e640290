using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Runtime;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// The residual shortcut's 2 x 2 average pooling as an autograd function over our kernels (Native/AveragePool.h), for
/// a contiguous float32 host tensor of even height and width: the bits of <c>avg_pool2d</c>, forward and backward.
/// </summary>
internal sealed unsafe class AveragePoolFunction : autograd.SingleTensorFunction<AveragePoolFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(AveragePoolFunction);

    /// <summary>Whether <paramref name="x"/> (N, C, H, W) can take this function rather than LibTorch's pooling.</summary>
    public static bool Accepts(Tensor x) =>
        x.dim() == 4 && x.shape[2] % 2 == 0 && x.shape[3] % 2 == 0 && x.shape[2] >= 2 && x.shape[3] >= 2 && x.numel() > 0
        && x.device_type == TorchSharp.DeviceType.CPU && x.dtype == ScalarType.Float32;

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        Tensor x = ((Tensor)vars[0]).contiguous();
        long height = x.shape[2], width = x.shape[3];
        Tensor y = empty([x.shape[0], x.shape[1], height / 2, width / 2], ScalarType.Float32);
        PoolingKernels.Forward(Address(x), x.shape[0] * x.shape[1], height, width, Address(y), TorchRuntime.Threads);
        ctx.save_data("shape", x.shape);
        return y;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // As in KernelBatchNormFunction: the output gradient's wrapper is released here, not with the step's scope, and the
        // gradient returned with the next backward.
        var shape = (long[])ctx.get_data("shape");
        Tensor dx = empty(shape, ScalarType.Float32);
        using (var scope = NewDisposeScope())
        {
            Tensor dy = grad_output.contiguous();
            PoolingKernels.Backward(Address(dy), shape[0] * shape[1], shape[2], shape[3], Address(dx), TorchRuntime.Threads);
        }

        grad_output.Dispose();
        return ReturnedGradients.HandBack(dx);
    }

    private static float* Address(Tensor t) => (float*)HostTensors.Address(t);
}
