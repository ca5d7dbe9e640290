namespace AutoBatch.Engine.Training;

/// <summary>One named tensor of a network's state, with its raw little-endian bytes.</summary>
/// <param name="Name">PyTorch-style name, e.g. <c>fc1.weight</c> or <c>layer1.0.bn1.running_mean</c>.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Raw bytes, row-major.</param>
public sealed record StateTensor(string Name, StateDType DType, IReadOnlyList<long> Shape, byte[] Data)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
