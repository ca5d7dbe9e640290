namespace AutoBatch.Engine.Probe;

/// <summary>How the probe formed one layer's contribution to F̃ (docs/DESIGN.md, 'The probe').</summary>
public enum LayerPath
{
    /// <summary>Ghost products of the layer's inputs and output gradients, never forming its per-sample gradients.</summary>
    Ghost = 0,

    /// <summary>Per-sample gradient rows built after the backward and multiplied (the cost model's "materialise"; every BatchNorm layer).</summary>
    Rows = 1,

    /// <summary>Per-sample gradient rows the conv layer's own backward computed in place of its batch weight gradient, then multiplied.</summary>
    Fused = 2,
}
