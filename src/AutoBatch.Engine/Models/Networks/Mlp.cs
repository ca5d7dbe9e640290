using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// The fully connected network of the paper's toy problem (784-500-500-10 by default): flatten, then fc1, ReLU, ...,
/// fc{k}. Layer names are PyTorch's state-dict names (<c>fc1.weight</c>, ...), so weights files and checkpoints are
/// interchangeable with <c>tools/autobatch_models.py</c>.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear[] _layers;

    /// <summary>Builds the layers, initialised from TorchSharp's global generator (PyTorch's default rule).</summary>
    /// <param name="inputs">Input features (C·H·W).</param>
    /// <param name="hidden">Hidden widths, in order.</param>
    /// <param name="classes">Output classes.</param>
    public Mlp(long inputs, IReadOnlyList<int> hidden, int classes)
        : base(nameof(Mlp))
    {
        ArgumentNullException.ThrowIfNull(hidden);
        long[] widths = [.. hidden.Select(h => (long)h), classes];
        _layers = new Linear[widths.Length];
        long width = inputs;
        for (int i = 0; i < widths.Length; i++)
        {
            _layers[i] = nn.Linear(width, widths[i]);
            register_module($"fc{i + 1}", _layers[i]);
            width = widths[i];
        }
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
        Tensor x = input.flatten(1);
        for (int i = 0; i < _layers.Length; i++)
        {
            // call, not forward: the probe's hooks fire only through call.
            x = _layers[i].call(x);
            if (i + 1 < _layers.Length)
            {
                x = nn.functional.relu(x);
            }
        }

        return x;
    }
}
