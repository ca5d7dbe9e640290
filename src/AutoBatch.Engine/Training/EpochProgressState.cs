namespace AutoBatch.Engine.Training;

/// <summary>
/// An epoch stopped at a step boundary. The permutation is not stored: it is reshuffled from
/// <see cref="OrderRngBeforeShuffle"/>, which reproduces it exactly.
/// </summary>
/// <param name="OrderRngBeforeShuffle">The data-order generator as it was before this epoch's shuffle.</param>
/// <param name="Position">Samples of the permutation already used.</param>
/// <param name="Iterations">Steps taken in this epoch.</param>
/// <param name="Measured">Valid probe readings in this epoch.</param>
/// <param name="LossSum">Sum of per-step mean losses weighted by batch size.</param>
/// <param name="Correct">Correctly classified training samples so far.</param>
/// <param name="TrainSeconds">Step time so far.</param>
/// <param name="ProbeSeconds">Probe time so far.</param>
/// <param name="ConditionSum">Sum of this epoch's c_k.</param>
/// <param name="EnergySum">Sum of this epoch's l_k.</param>
/// <param name="RankSum">Sum of this epoch's ranks.</param>
/// <param name="NoiseSum">Sum of this epoch's B_simple.</param>
/// <param name="LastBatch">Batch size of the last full step.</param>
/// <param name="LastLearningRate">α of the last step.</param>
/// <param name="OtherConditionSum">Sum of this epoch's c_k under the other rank rule (when the probe applies both).</param>
/// <param name="OtherRankSum">Sum of this epoch's ranks under the other rank rule.</param>
public sealed record EpochProgressState(
    GeneratorState OrderRngBeforeShuffle,
    int Position,
    int Iterations,
    int Measured,
    double LossSum,
    long Correct,
    double TrainSeconds,
    double ProbeSeconds,
    double ConditionSum,
    double EnergySum,
    double RankSum,
    double NoiseSum,
    int LastBatch,
    double LastLearningRate,
    double OtherConditionSum = 0,
    double OtherRankSum = 0);
