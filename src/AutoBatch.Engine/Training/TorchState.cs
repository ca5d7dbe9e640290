using AutoBatch.Engine.Models.Networks;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Training;

/// <summary>
/// A TorchSharp network's named state: the module's parameters and buffers in PyTorch's state-dict order, and the
/// optimiser's momentum buffers (<c>&lt;parameter&gt;.momentum_buffer</c>, trained parameters only), copied out to and
/// loaded from host bytes; and the BatchNorm buffers saved and restored around passes that must not move them.
/// </summary>
internal sealed class TorchState(IReadOnlyList<NamedTensor> entries, IReadOnlyList<Tensor> momentum)
{
    /// <summary>Copies out a state set.</summary>
    public IReadOnlyList<StateTensor> Get(StateSet which) =>
        [.. Entries(which).Select(e => new StateTensor(e.Name, DTypeOf(e.Tensor), e.Tensor.shape, HostBytes(e.Tensor)))];

    /// <summary>Loads a state set; refusals name <paramref name="source"/> and the tensors (<see cref="StateMatch"/>).</summary>
    public void Set(IReadOnlyList<StateTensor> tensors, StateSet which, string model, string source)
    {
        NamedTensor[] targets = [.. Entries(which)];
        StateMatch.Slot[] slots = [.. targets.Select(e => new StateMatch.Slot(e.Name, DTypeOf(e.Tensor), e.Tensor.shape))];
        List<(int Index, StateTensor Tensor)> matched = StateMatch.Match(tensors, slots, model, source);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach ((int index, StateTensor value) in matched)
        {
            Tensor target = targets[index].Tensor;
            Tensor host = empty(target.shape, target.dtype);
            value.Data.CopyTo(host.bytes);
            target.copy_(host);
        }
    }

    /// <summary>Copies of the buffers (in the caller's dispose scope).</summary>
    public Tensor[] SaveBuffers() => [.. entries.Where(s => !s.IsParameter).Select(s => s.Tensor.clone())];

    /// <summary>Puts back what <see cref="SaveBuffers"/> copied.</summary>
    public void RestoreBuffers(Tensor[] saved)
    {
        using var noGrad = no_grad();
        int i = 0;
        foreach (NamedTensor buffer in entries.Where(s => !s.IsParameter))
        {
            buffer.Tensor.copy_(saved[i++]);
        }
    }

    private IEnumerable<NamedTensor> Entries(StateSet which) => which switch
    {
        StateSet.Model => entries,
        StateSet.Optimiser => entries.Where(s => s.IsParameter && s.Tensor.requires_grad)
            .Zip(momentum, (p, m) => new NamedTensor(p.Name + ".momentum_buffer", m, false)),
        _ => throw new ArgumentOutOfRangeException(nameof(which), which, "Unknown state set."),
    };

    private static StateDType DTypeOf(Tensor t) => t.dtype == ScalarType.Int64 ? StateDType.Int64 : StateDType.Float32;

    private static byte[] HostBytes(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().bytes.ToArray();
    }
}
