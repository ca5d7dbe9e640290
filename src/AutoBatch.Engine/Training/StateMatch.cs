namespace AutoBatch.Engine.Training;

/// <summary>
/// Named state against a network's own tensors, for both engines: every tensor of the network present once with the
/// network's dtype and shape, nothing else. Refusals name the source (a file) and the tensors.
/// </summary>
internal static class StateMatch
{
    /// <summary>One of the network's tensors, as loading sees it.</summary>
    public sealed record Slot(string Name, StateDType DType, IReadOnlyList<long> Shape);

    /// <summary>The given tensors in the order of <paramref name="slots"/>, each with its slot's index.</summary>
    public static List<(int Index, StateTensor Tensor)> Match(IReadOnlyList<StateTensor> tensors, IReadOnlyList<Slot> slots, string model, string source)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = new Dictionary<string, StateTensor>(StringComparer.Ordinal);
        foreach (StateTensor t in tensors)
        {
            if (!byName.TryAdd(t.Name, t))
            {
                throw new UserInputException(source, $"tensor '{t.Name}' appears twice.");
            }
        }

        var matched = new List<(int Index, StateTensor Tensor)>();
        var missing = new List<string>();
        for (int i = 0; i < slots.Count; i++)
        {
            Slot slot = slots[i];
            if (!byName.Remove(slot.Name, out StateTensor? t))
            {
                missing.Add(slot.Name);
                continue;
            }

            if (t.DType != slot.DType || !t.Shape.SequenceEqual(slot.Shape))
            {
                throw new UserInputException(source, $"tensor '{slot.Name}' is {t.DType} [{string.Join(", ", t.Shape)}], the {model} model expects {slot.DType} [{string.Join(", ", slot.Shape)}].");
            }

            matched.Add((i, t));
        }

        if (missing.Count > 0 || byName.Count > 0)
        {
            throw new UserInputException(source, $"does not match the {model} model; missing: [{string.Join(", ", missing)}], unexpected: [{string.Join(", ", byName.Keys)}].");
        }

        return matched;
    }
}
