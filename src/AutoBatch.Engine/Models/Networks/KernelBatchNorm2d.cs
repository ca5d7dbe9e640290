using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// The built-in networks' BatchNorm2d: TorchSharp's BatchNorm (the same parameters, buffers, state-dict names and
/// defaults as a BatchNorm2d) whose training-mode forward and backward run in our kernels
/// (<see cref="KernelBatchNormFunction"/>) when the input is a float32 host tensor, and in LibTorch's otherwise (eval
/// mode, a device, another dtype, momentum 0 or none). LibTorch 2.10's CPU BatchNorm takes about 2 ns per element on
/// a forward at small batches, a tenth of ResNet-8's step at B = 8 (docs/BENCHMARKS.md).
/// </summary>
public sealed class KernelBatchNorm2d : BatchNorm
{
    /// <summary>A BatchNorm2d of <paramref name="features"/> channels with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, tracked).</summary>
    public KernelBatchNorm2d(long features)
        : base(features, 1e-5, 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (!TakesKernel(input))
        {
            return base.forward(input);
        }

        num_batches_tracked?.add_(1);
        return KernelBatchNormFunction.apply(input, weight, bias, this);
    }

    /// <inheritdoc/>
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.dim() != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a 4-D input (N, C, H, W), got {input.dim()}-D.", nameof(input));
        }
    }

    private bool TakesKernel(Tensor input) =>
        training && track_running_stats && affine && momentum is > 0 and <= 1
        && input.dim() == 4 && input.shape[0] * input.shape[2] * input.shape[3] >= 2
        && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == ScalarType.Float32
        && weight is { dtype: ScalarType.Float32 } && running_mean is { dtype: ScalarType.Float32 } && running_var is not null;
}
