using static TorchSharp.torch;

namespace AutoBatch.Engine.Training;

/// <summary>
/// SGD with (Nesterov) momentum and L2 weight decay, updating each parameter in place: the same arithmetic as
/// <c>torch.optim.SGD</c> with dampening 0, whose "buffer = first gradient" start equals a buffer that starts at zero.
/// Written over the tensors rather than using TorchSharp's <c>optim.SGD</c>, which leaves the gradient tensors it
/// reads to the finalizer (resident memory grows over a run) and costs a millisecond per step at small batches.
/// </summary>
internal sealed class NesterovSgd
{
    private readonly Tensor[] _parameters;

    public NesterovSgd(IReadOnlyList<Tensor> parameters, SgdSettings settings)
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
    }

    public SgdSettings Settings { get; }

    /// <summary>One momentum buffer per parameter, in parameter order (checkpointed as optimiser state).</summary>
    public IReadOnlyList<Tensor> Momentum { get; }

    /// <summary>p ← p − α·d with g = ∇ + λp, b ← μb + g, and d = g + μb (Nesterov) or b.</summary>
    public void Step(double learningRate)
    {
        using var scope = NewDisposeScope();
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
}
