namespace AutoBatch.Controller.Policies;

/// <summary>What <see cref="ClosedLoopPolicy.Choose"/> decided, with what it weighed.</summary>
/// <param name="BatchSize">The batch size chosen (the one in use when no change qualified).</param>
/// <param name="Gain">The chosen change's predicted error gain (error fraction; 0 when B is kept).</param>
/// <param name="Limit">Target + δ, the predicted final error the law tolerates.</param>
/// <param name="Options">Every other candidate with its gain and what it needed.</param>
/// <param name="Seconds">The chosen batch size's predicted wall seconds of training to the end, null without throughput figures.</param>
public sealed record LawChoice(int BatchSize, double Gain, double Limit, IReadOnlyList<LawOption> Options, double? Seconds = null);
