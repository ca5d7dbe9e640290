using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>Reported after every step, for progress displays and decision logs.</summary>
/// <param name="Progress">Where training stood before the step.</param>
/// <param name="Plan">What the step used.</param>
/// <param name="Result">The step's outcome.</param>
/// <param name="Measures">The cumulative measures after the step.</param>
public sealed record StepEvent(TrainingProgress Progress, StepPlan Plan, StepResult Result, FisherAccumulatorState Measures);
