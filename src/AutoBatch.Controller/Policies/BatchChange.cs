namespace AutoBatch.Controller.Policies;

/// <summary>
/// The last batch-size change, as the applier remembers it (and checkpoints it) for policies whose hysteresis asks a
/// reversal for a stronger case than the change had.
/// </summary>
/// <param name="Epoch">0-based epoch whose first step used the new batch size (the boundary the change was made at).</param>
/// <param name="From">Batch size before.</param>
/// <param name="To">Batch size after.</param>
/// <param name="Gain">The predicted gain the change was made on (<see cref="BatchDecision.Gain"/>), null if none.</param>
public sealed record BatchChange(int Epoch, int From, int To, double? Gain)
{
    /// <summary>+1 for a larger batch size, −1 for a smaller one.</summary>
    public int Direction => Math.Sign(To - From);
}
