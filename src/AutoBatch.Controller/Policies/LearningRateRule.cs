namespace AutoBatch.Controller.Policies;

/// <summary>How α follows a batch-size change (docs/DESIGN.md, 'Schedules').</summary>
public enum LearningRateRule
{
    /// <summary>α stays as scheduled (the paper's dynamic sampling keeps it).</summary>
    Keep = 0,

    /// <summary>α scales with B / B₀ (Goyal et al.'s linear scaling rule).</summary>
    Linear = 1,

    /// <summary>α scales with √(B / B₀) (Krizhevsky's square-root rule).</summary>
    SquareRoot = 2,
}
