namespace AutoBatch.Engine.Kernels;

/// <summary>
/// What one pass over F̃ finds before its spectrum: whether every entry is finite, the largest |entry| (the spectrum's
/// maxAbs), the sum of all entries (1ᵀF̃1) and the trace.
/// </summary>
public readonly record struct GramSummary(bool Finite, double MaxAbs, double Sum, double Trace);
