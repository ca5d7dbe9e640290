using System.Text.Json.Serialization;

namespace AutoBatch.Engine.Probe;

/// <summary>
/// Serializable state of a <see cref="FisherAccumulator"/>. A training run's state has only the first six values (the
/// others are 0 and not written, so its checkpoints read as before); an accumulator that took whole epochs or started
/// from given measures also has the part held as means.
/// </summary>
/// <param name="Iterations">Steps since the start.</param>
/// <param name="Measurements">Valid measurements since the start.</param>
/// <param name="InvalidMeasurements">Probes whose F̃ was zero or non-finite.</param>
/// <param name="ConditionSum">Σ c_k of the readings added one by one.</param>
/// <param name="EnergySum">Σ l_k of the readings added one by one.</param>
/// <param name="OtherConditionSum">Σ c_k under the other rank rule of the readings added one by one.</param>
/// <param name="EarlierIterations">Of <paramref name="Iterations"/>, the steps added before those readings (a start point and whole epochs).</param>
/// <param name="EarlierMeasurements">Of <paramref name="Measurements"/>, those added before the readings.</param>
/// <param name="EarlierConditionMean">C̄_K over <paramref name="EarlierMeasurements"/>.</param>
/// <param name="EarlierEnergy">L_K before the readings.</param>
/// <param name="EarlierOtherConditionMean">C̄_K under the other rank rule over <paramref name="EarlierMeasurements"/>.</param>
public sealed record FisherAccumulatorState(
    long Iterations,
    long Measurements,
    long InvalidMeasurements,
    double ConditionSum,
    double EnergySum,
    double OtherConditionSum = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long EarlierIterations = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long EarlierMeasurements = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double EarlierConditionMean = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double EarlierEnergy = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double EarlierOtherConditionMean = 0);
