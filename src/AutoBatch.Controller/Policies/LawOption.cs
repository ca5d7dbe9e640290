namespace AutoBatch.Controller.Policies;

/// <summary>One candidate change the closed-loop law weighed.</summary>
/// <param name="BatchSize">The candidate.</param>
/// <param name="Gain">Its predicted gain (error fraction), null when a smaller batch has no case (keeping B is within target + δ).</param>
/// <param name="Required">The gain it needed: the margin, or for a reversal of the last change that change's gain plus the margin.</param>
/// <param name="Reversal">True when it would reverse the last change.</param>
public sealed record LawOption(int BatchSize, double? Gain, double Required, bool Reversal);
