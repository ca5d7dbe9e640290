using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>Settings of a <see cref="Trainer"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Seed of the data order and augmentation (weights are seeded when the network is created).</summary>
    public long Seed { get; init; }

    /// <summary>Probe settings; null trains without measuring.</summary>
    public ProbeSettings? Probe { get; init; } = new();

    /// <summary>Samples per evaluation call (default 1000).</summary>
    public int EvaluationChunk { get; init; } = 1000;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be >= 1.");
        }

        if (EvaluationChunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EvaluationChunk), EvaluationChunk, "The evaluation chunk must be >= 1.");
        }

        Probe?.Validate();
    }
}
