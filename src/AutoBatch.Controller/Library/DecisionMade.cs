using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Library;

/// <summary>The schedule decided (a batch-size change, a kept batch size, a divergence rollback; also in decisions.jsonl).</summary>
/// <param name="Decision">The decision, with its inputs and reason.</param>
public sealed record DecisionMade(DecisionRecord Decision) : TrainingEvent;
