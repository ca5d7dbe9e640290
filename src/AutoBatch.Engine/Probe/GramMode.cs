namespace AutoBatch.Engine.Probe;

/// <summary>How each layer's share of F̃ is computed (docs/DESIGN.md, 'The probe').</summary>
public enum GramMode
{
    /// <summary>Per layer, the cheaper of ghost and materialise by the probe's cost model.</summary>
    Auto = 0,

    /// <summary>Ghost: Σ_{t,s} (δ_it·δ_js)(a_it·a_js) without per-sample gradients.</summary>
    Ghost = 1,

    /// <summary>Materialise per-sample gradients in memory-capped chunks and take their Gram.</summary>
    Materialise = 2,
}
