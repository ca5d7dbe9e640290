using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Training;

/// <summary>
/// SGD with (Nesterov) momentum and L2 weight decay, updating each parameter in place: the same arithmetic as
/// <c>torch.optim.SGD</c> with dampening 0, whose "buffer = first gradient" start equals a buffer that starts at zero.
/// Written over the tensors rather than using TorchSharp's <c>optim.SGD</c>, which leaves the gradient tensors it
/// reads to the finalizer (resident memory grows over a run) and costs a millisecond per step at small batches.
/// On the host (float32, contiguous) the whole step is one call into our kernels (Native/SgdStep.h), which do in one
/// pass what the tensor operations do in five per parameter, each dispatched from managed code: the same bits, less
/// memory traffic (the MLP's 640k weights) and a few hundred fewer calls per step (ResNet-8's small tensors). Elsewhere
/// (a device) the tensor operations run.
/// </summary>
internal sealed class NesterovSgd
{
    private readonly Tensor[] _parameters;
    private readonly bool _fused;
    private readonly NativeSgdTensor[] _tensors;

    /// <param name="parameters">The trained parameters, in state order.</param>
    /// <param name="settings">Momentum, Nesterov and weight decay.</param>
    /// <param name="fused">False forces the tensor operations even on the host (the reference the kernel is tested against).</param>
    public NesterovSgd(IReadOnlyList<Tensor> parameters, SgdSettings settings, bool fused = true)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.Momentum >= 0 && settings.Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Momentum, "Momentum must be in [0, 1).");
        }

        if (!(settings.WeightDecay >= 0) || !double.IsFinite(settings.WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.WeightDecay, "Weight decay must be a finite number >= 0.");
        }

        if (settings.Nesterov && settings.Momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(settings));
        }

        _parameters = [.. parameters];
        Settings = settings;
        Momentum = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _fused = fused && _parameters.All(OnHost);
        _tensors = new NativeSgdTensor[_parameters.Length];
    }

    public SgdSettings Settings { get; }

    /// <summary>One momentum buffer per parameter, in parameter order (checkpointed as optimiser state).</summary>
    public IReadOnlyList<Tensor> Momentum { get; }

    /// <summary>True when every element of every gradient is finite (parameters without a gradient are skipped).</summary>
    public bool GradientsFinite()
    {
        using var scope = NewDisposeScope();
        if (Gather() is int count)
        {
            return SgdKernels.GradientsFinite(_tensors.AsSpan(0, count), TorchRuntime.Threads);
        }

        // One reduction and one read: a NaN or infinity in any gradient makes the sum of sums non-finite.
        Tensor[] sums = [.. _parameters.Select(p => p.grad).OfType<Tensor>().Select(g => g.sum())];
        return sums.Length == 0 || double.IsFinite(stack(sums).sum().item<float>());
    }

    /// <summary>p ← p − α·d with g = ∇ + λp, b ← μb + g, and d = g + μb (Nesterov) or b.</summary>
    public void Step(double learningRate)
    {
        using var scope = NewDisposeScope();
        if (Gather() is int count)
        {
            var settings = new NativeSgdSettings(learningRate, Settings.Momentum, Settings.WeightDecay, Settings.Nesterov);
            SgdKernels.Step(_tensors.AsSpan(0, count), settings, TorchRuntime.Threads);
            return;
        }

        StepByOperations(learningRate);
    }

    /// <summary>
    /// Fills <see cref="_tensors"/> with the addresses of every parameter that has a gradient and returns how many, or
    /// null when the kernels cannot take them (not on the host, or a gradient that is not contiguous float32). The
    /// gradient handles belong to the caller's dispose scope; the addresses stay valid while the gradients live.
    /// </summary>
    private unsafe int? Gather()
    {
        if (!_fused)
        {
            return null;
        }

        int count = 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            Tensor p = _parameters[i];
            if (p.grad is not { } g)
            {
                continue;
            }

            if (!OnHost(g))
            {
                return null;
            }

            _tensors[count++] = new NativeSgdTensor(
                (float*)HostTensors.Address(p), (float*)HostTensors.Address(g), (float*)HostTensors.Address(Momentum[i]), p.numel());
        }

        return count;
    }

    private void StepByOperations(double learningRate)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            Tensor p = _parameters[i];
            Tensor? g = p.grad;
            if (g is null)
            {
                continue;
            }

            if (Settings.WeightDecay != 0)
            {
                g.add_(p, Settings.WeightDecay);
            }

            Tensor direction = g;
            if (Settings.Momentum != 0)
            {
                Tensor buffer = Momentum[i];
                buffer.mul_(Settings.Momentum).add_(g);
                if (Settings.Nesterov)
                {
                    g.add_(buffer, Settings.Momentum);
                }
                else
                {
                    direction = buffer;
                }
            }

            p.add_(direction, -learningRate);
        }
    }

    // Our kernel takes contiguous float32 host tensors; on a device the step has its tensor operations.
    private static bool OnHost(Tensor t) =>
        HostTensors.Placement(t.device_type, tensorOperations: true) == KernelPlacement.HostKernel
        && t.dtype == ScalarType.Float32 && t.is_contiguous();
}
