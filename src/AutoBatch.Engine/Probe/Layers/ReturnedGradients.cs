using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// The gradients our custom autograd functions' backward hands back to LibTorch (<see cref="FusedConvFunction"/> and the
/// built-in networks' BatchNorm and pooling functions). TorchSharp's glue takes its own reference to each returned
/// tensor as soon as the backward returns, so our wrapper can go then; left in the step's dispose scope, it would hold
/// the gradient's memory to the end of the step (about 40 MB at ResNet-8's B = 128). A backward's wrappers are released
/// by the next backward on the same thread, and the last ones by <see cref="ReleasePrevious"/> at the end of the step.
/// </summary>
internal static class ReturnedGradients
{
    [ThreadStatic]
    private static List<Tensor>? _previous;

    /// <summary>Releases the wrappers handed back by the last backward on this thread (those tensors live on in LibTorch's hands).</summary>
    public static void ReleasePrevious()
    {
        if (_previous is not { Count: > 0 } previous)
        {
            return;
        }

        foreach (Tensor t in previous)
        {
            t.Dispose();
        }

        previous.Clear();
    }

    /// <summary>
    /// The list a backward returns: <paramref name="gradients"/> in order (null for an input without one), each taken
    /// out of its dispose scope and released by the next backward on this thread (the earlier ones first).
    /// </summary>
    public static List<Tensor> HandBack(params Tensor?[] gradients)
    {
        ReleasePrevious();
        _previous ??= [];
        var result = new List<Tensor>(gradients.Length);
        foreach (Tensor? g in gradients)
        {
            if (g is not null)
            {
                _previous.Add(g.DetachFromDisposeScope());
            }

            result.Add(g!);
        }

        return result;
    }
}
