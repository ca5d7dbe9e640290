using System.Text.Json.Serialization;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Runs;

/// <summary>
/// <c>summary.json</c> of a run: what a comparison needs per run. Times are sums over the epochs'
/// records, so they are the same whether or not the run was interrupted and resumed.
/// </summary>
public sealed record RunSummary
{
    /// <summary>Format of this record.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Policy name (e.g. <c>closed-loop</c>, <c>s32-to-512-MS</c>, <c>s64</c>).</summary>
    public required string Policy { get; init; }

    /// <summary>Model spec.</summary>
    public required string Model { get; init; }

    /// <summary>Data set.</summary>
    public required DataSetKind Data { get; init; }

    /// <summary>Seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Epochs run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Training samples per epoch.</summary>
    public required int EpochSize { get; init; }

    /// <summary>Initial batch size.</summary>
    public required int InitialBatchSize { get; init; }

    /// <summary>Initial α.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Why the run started at its batch size and α, when its policy chose them (the closed loop); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? StartReason { get; init; }

    /// <summary>Learning-rate rule.</summary>
    public required LearningRateRule Rule { get; init; }

    /// <summary>True when every epoch ran (false after a cancellation).</summary>
    public required bool Completed { get; init; }

    /// <summary>True when the run ended on a non-finite step.</summary>
    public required bool Diverged { get; init; }

    /// <summary>Rollbacks after divergences.</summary>
    public required int Rollbacks { get; init; }

    /// <summary>Test error after the last epoch.</summary>
    public required double FinalTestError { get; init; }

    /// <summary>Test loss after the last epoch.</summary>
    public required double FinalTestLoss { get; init; }

    /// <summary>Parameter updates (the synchronisation rounds of data-parallel training).</summary>
    public required long Iterations { get; init; }

    /// <summary>Batch-size changes.</summary>
    public required int BatchSizeChanges { get; init; }

    /// <summary>Training time (steps including the probe), seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Probe time, seconds: the epochs' <see cref="Engine.Training.EpochRecord.ProbeSeconds"/> summed.</summary>
    public required double ProbeSeconds { get; init; }

    /// <summary>Evaluation time, seconds.</summary>
    public required double EvalSeconds { get; init; }

    /// <summary>
    /// CPU seconds of the training steps, every thread counted (the epochs' <c>trainCpuSeconds</c>): what the steps cost
    /// whatever else ran on the machine, where <see cref="TrainSeconds"/> also measures the load (0 when not recorded).
    /// </summary>
    public double TrainCpuSeconds { get; init; }

    /// <summary>Training samples per second of <see cref="TrainSeconds"/>.</summary>
    public required double SamplesPerSecond { get; init; }

    /// <summary>Final C̄_K.</summary>
    [JsonPropertyName("conditionMean")]
    public required double CumulativeCondition { get; init; }

    /// <summary>Final L_K.</summary>
    [JsonPropertyName("energy")]
    public required double CumulativeEnergy { get; init; }

    /// <summary>Final distance to the map's optimum region (normalised log units), when run with a map.</summary>
    public double? DistanceToRegion { get; init; }

    /// <summary>The beacon map the run was steered or compared with.</summary>
    public string? Map { get; init; }

    /// <summary>The command line.</summary>
    public string? Command { get; init; }

    /// <summary>
    /// The machine the run trained on (CPU model, cores, OS; null in summaries written before it was recorded): its
    /// times are comparable only with times measured on the same machine.
    /// </summary>
    public string? Machine { get; init; }

    /// <summary>The engine that trained the run (<c>Engines.Describe</c>; null in summaries written before it was recorded).</summary>
    public string? Engine { get; init; }

    /// <summary>The device the run trained on (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>; null in summaries written before it was recorded).</summary>
    public string? Device { get; init; }
}
