using System.Text.Json.Serialization;

namespace AutoBatch.Controller.Policies;

/// <summary>One line of <c>decisions.jsonl</c>: a decision with its inputs and reason (every decision is logged).</summary>
public sealed record DecisionRecord
{
    /// <summary><c>decision</c> (a policy evaluation or change), <c>divergence</c> (rollback and α cut) or <c>resume</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The policy's name.</summary>
    public required string Policy { get; init; }

    /// <summary>1-based epoch the next step belongs to.</summary>
    public required int Epoch { get; init; }

    /// <summary>1-based step within that epoch.</summary>
    public required int IterationInEpoch { get; init; }

    /// <summary>Steps completed before the decision.</summary>
    public required long Iteration { get; init; }

    /// <summary>Fraction of training done.</summary>
    public required double Fraction { get; init; }

    /// <summary>Batch size before the decision.</summary>
    public required int From { get; init; }

    /// <summary>Batch size after it.</summary>
    public required int To { get; init; }

    /// <summary>α of the next step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>C̄_K at the decision.</summary>
    [JsonPropertyName("conditionMean")]
    public required double CumulativeCondition { get; init; }

    /// <summary>L_K at the decision.</summary>
    [JsonPropertyName("energy")]
    public required double CumulativeEnergy { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>The numbers the policy used.</summary>
    public IReadOnlyDictionary<string, double> Inputs { get; init; } = new Dictionary<string, double>();
}
