namespace AutoBatch.Engine.Training;

/// <summary>
/// Chooses batch size and learning rate before every step. The engine only asks; schedules and controllers
/// live in other assemblies.
/// </summary>
public interface IStepPlanner
{
    /// <summary>The plan for the step about to run.</summary>
    StepPlan Plan(TrainingProgress progress);
}
