using System.Diagnostics;
using AutoBatch.Engine.Kernels;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// The fused conv path's autograd function. Forward: the ordinary convolution. Backward: the input gradient as autograd
/// would compute it (a transposed convolution; none when the input needs none), each sample's weight gradient by our direct AVX-512 kernel (the
/// probe's rows, handed to the layer's <see cref="FusionPlan"/>), and their sum as the weight gradient, in place of the
/// batch weight gradient. The sum equals the batch kernel's gradient up to float32 rounding (another summation order).
/// </summary>
internal sealed unsafe class FusedConvFunction : autograd.SingleTensorFunction<FusedConvFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(FusedConvFunction);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var layer = (FusedConv2d)vars[2];
        ctx.save_for_backward([input, weight]);
        ctx.save_data("layer", layer);
        ctx.save_data("inputGradient", input.requires_grad);
        return layer.Convolve(input, weight);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // The saved tensors' and the output gradient's wrappers are released here, not with the step's dispose scope
        // (as in KernelBatchNormFunction), so that autograd frees them as it goes; the rows stay with the step, the
        // gradients returned go with the next backward (ReturnedGradients).
        Tensor? gradInput;
        Tensor gradWeight;
        using (var scope = NewDisposeScope())
        {
            List<Tensor> saved = ctx.get_saved_variables();
            Tensor input = saved[0], weight = saved[1];
            var layer = (FusedConv2d)ctx.get_data("layer");
            ConvGeometry g = layer.Geometry;
            long batch = input.shape[0];
            Tensor d = grad_output.contiguous();

            // The input gradient, if the input needs one (autograd's own backward skips it for the data, and a
            // transposed convolution onto a single input channel is slow): the transposed convolution, with the output
            // padding that restores the input's size.
            gradInput = null;
            if ((bool)ctx.get_data("inputGradient"))
            {
                long extraHeight = input.shape[2] - (((d.shape[2] - 1) * g.StrideHeight) - (2 * g.PadHeight) + g.KernelHeight);
                long extraWidth = input.shape[3] - (((d.shape[3] - 1) * g.StrideWidth) - (2 * g.PadWidth) + g.KernelWidth);
                gradInput = nn.functional.conv_transpose2d(
                    d, weight, null, [g.StrideHeight, g.StrideWidth], [g.PadHeight, g.PadWidth], [extraHeight, extraWidth]);
            }

            long start = Stopwatch.GetTimestamp();
            // The plan admits host tensors only (FusionPlan.Admit); were it otherwise, the kernel reads host copies and
            // the weight gradient goes back to the weight's device.
            Tensor x = HostTensors.Host(input, ScalarType.Float32), hostD = HostTensors.Host(d, ScalarType.Float32);
            long p = g.OutChannels * g.Inputs;
            Tensor rows = empty([batch, p], ScalarType.Float32);
            var shape = new DirectConvShape(
                g.InChannels, x.shape[2], x.shape[3], g.OutChannels, d.shape[2], d.shape[3],
                g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth, g.PadHeight, g.PadWidth);
            ProbeKernels.DirectConvRows(
                shape, (float*)HostTensors.Address(x), (float*)HostTensors.Address(hostD), batch,
                (float*)HostTensors.Address(rows), p, AutoBatch.Engine.Runtime.TorchRuntime.Threads);
            // Rows are in (O, kh, kw, C) order; the weight is (O, C, kh, kw).
            gradWeight = rows.sum(dim: 0)
                .view(g.OutChannels, g.KernelHeight, g.KernelWidth, g.InChannels).permute(0, 3, 1, 2).contiguous();
            if (weight.device_type != TorchSharp.DeviceType.CPU)
            {
                gradWeight = gradWeight.to(weight.device);
            }

            layer.Plan?.Deliver(layer, rows, Stopwatch.GetElapsedTime(start).TotalSeconds);
            scope.MoveToOuter(gradInput is null ? [gradWeight, rows] : [gradInput, gradWeight, rows]);
        }

        grad_output.Dispose();
        return ReturnedGradients.HandBack(gradInput, gradWeight, null);
    }
}
