namespace AutoBatch.Controller.Policies;

/// <summary>One candidate change the closed-loop law weighed.</summary>
/// <param name="BatchSize">The candidate.</param>
/// <param name="Gain">
/// Its predicted error gain (error fraction), null when it has no case: keeping B is within target + δ and the
/// candidate is not predicted to save time (a smaller batch must be predicted faster, a larger one no slower).
/// </param>
/// <param name="Required">The gain it needed: 0 for a time gain, the margin for an error gain, or for a reversal of the last change that change's gain plus the margin.</param>
/// <param name="Reversal">True when it would reverse the last change.</param>
/// <param name="Seconds">Its predicted wall seconds of training to the end, null without throughput figures.</param>
public sealed record LawOption(int BatchSize, double? Gain, double Required, bool Reversal, double? Seconds = null)
{
    /// <summary>True when its gain exceeds what it needs.</summary>
    public bool Qualifies => Gain > Required;
}
