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

    /// <summary>The loss did not reach the layer on this step (its forward did not run, or its output was not used): no gradient, no share of F̃.</summary>
    Unreached = 3,
}
