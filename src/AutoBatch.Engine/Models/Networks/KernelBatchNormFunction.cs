using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Runtime;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// <see cref="KernelBatchNorm2d"/>'s training-mode autograd function: forward and backward each one call into our
/// kernels (Native/BatchNormTraining.h) on host float32 tensors. The forward also moves the layer's running statistics
/// (in place, as LibTorch's does). Gradients within float32 rounding of LibTorch's (its sums are float64 too, in another order).
/// </summary>
internal sealed unsafe class KernelBatchNormFunction : autograd.SingleTensorFunction<KernelBatchNormFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(KernelBatchNormFunction);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var bias = (Tensor)vars[2];
        var layer = (KernelBatchNorm2d)vars[3];
        Tensor x = input.contiguous();
        long channels = x.shape[1];
        Tensor y = empty_like(x);
        Tensor mean = empty([channels], ScalarType.Float32);
        Tensor invstd = empty([channels], ScalarType.Float32);
        BatchNormKernels.Forward(
            Shape(x), Address(x), Address(weight), Address(bias), layer.eps, layer.momentum!.Value,
            Address(layer.running_mean!), Address(layer.running_var!), Address(y), Address(mean), Address(invstd),
            TorchRuntime.Threads);
        ctx.save_for_backward([x, weight, mean, invstd]);
        ctx.save_data("needs", new[] { input.requires_grad, weight.requires_grad, bias.requires_grad });
        return y;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // The saved tensors' and the output gradient's wrappers are released here rather than with the step's dispose
        // scope, so that autograd frees each layer's input and output gradient as soon as it is done with them, as it
        // does for its own layers (otherwise a step at B = 512 held hundreds of MB more at its end, and glibc returned
        // and page-faulted them anew every step); the gradients returned go with the next backward (ReturnedGradients).
        var needs = (bool[])ctx.get_data("needs");
        Tensor? dx;
        Tensor dweight, dbias;
        using (var scope = NewDisposeScope())
        {
            List<Tensor> saved = ctx.get_saved_variables();
            Tensor x = saved[0], weight = saved[1], mean = saved[2], invstd = saved[3];
            Tensor dy = grad_output.contiguous();
            dx = needs[0] ? empty_like(x) : null;
            dweight = empty_like(weight);
            dbias = empty_like(weight);
            BatchNormKernels.Backward(
                Shape(x), Address(x), Address(dy), Address(mean), Address(invstd), Address(weight),
                dx is null ? null : Address(dx), Address(dweight), Address(dbias), TorchRuntime.Threads);
            scope.MoveToOuter(dx is null ? [dweight, dbias] : [dx, dweight, dbias]);
        }

        grad_output.Dispose();
        return ReturnedGradients.HandBack(dx, needs[1] ? dweight : null, needs[2] ? dbias : null, null);
    }

    private static NativeBatchNormShape Shape(Tensor x) => new(x.shape[0], x.shape[1], x.shape[2] * x.shape[3]);

    private static float* Address(Tensor t) => (float*)HostTensors.Address(t);
}
