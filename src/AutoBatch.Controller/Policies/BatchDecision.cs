namespace AutoBatch.Controller.Policies;

/// <summary>
/// A policy's answer: the batch size for the next step and why. <see cref="Evaluated"/> is true when the policy
/// actually weighed its inputs (a decision point), false when it only carried the previous choice forward; the
/// applier logs every evaluated decision and every change.
/// </summary>
/// <param name="BatchSize">Batch size for the next step.</param>
/// <param name="Reason">Human-readable reason, with the numbers that decided it.</param>
/// <param name="Evaluated">True at a decision point.</param>
public sealed record BatchDecision(int BatchSize, string Reason, bool Evaluated)
{
    /// <summary>The numbers the decision was based on (logged with it), by name.</summary>
    public IReadOnlyDictionary<string, double> Inputs { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// For a change, the predicted gain it was made on (a policy's own units; the closed loop's: error fraction), which
    /// the applier remembers in <see cref="BatchChange.Gain"/> so that a reversal can be asked for a stronger case.
    /// Null for a policy that weighs no prediction.
    /// </summary>
    public double? Gain { get; init; }

    /// <summary>Carries <paramref name="batchSize"/> forward without evaluating.</summary>
    public static BatchDecision Hold(int batchSize, string reason) => new(batchSize, reason, Evaluated: false);
}
