using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// A layer's share of F̃ as the probe adds it in: entry (i, j) is (<see cref="Lower"/>_ij · <see cref="Scale"/>) ·
/// (<see cref="Factor"/>_ij + <see cref="Shift"/>), with a missing factor read as zeros. Only the lower triangle (row i:
/// entries 0..i) of each matrix is read, so the Gram kernels need not mirror it, and a linear layer's two ghost Grams
/// and the factor B² are combined in the same pass that adds them to F̃ (the rounding of forming the product first).
/// </summary>
/// <param name="Lower">B x B float64 on the host; its lower triangle holds the Gram (or its first factor).</param>
/// <param name="Scale">Multiplies each entry first (B² for rows of the mean loss's gradients; otherwise 1).</param>
/// <param name="Factor">The second factor, elementwise (a linear layer's input Gram), or null.</param>
/// <param name="Shift">Added to the second factor (1 for a linear layer's bias; 1 with no factor: the Gram as it is).</param>
internal readonly record struct LayerGram(Tensor Lower, double Scale, Tensor? Factor, double Shift)
{
    /// <summary>A Gram taken as it is.</summary>
    public static LayerGram Of(Tensor gram) => new(gram, 1.0, null, 1.0);
}
