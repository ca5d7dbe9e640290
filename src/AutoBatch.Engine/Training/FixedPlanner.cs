namespace AutoBatch.Engine.Training;

/// <summary>One batch size throughout and the step-decayed learning rate: the paper's beacon runs.</summary>
public sealed class FixedPlanner : IStepPlanner
{
    private readonly int _batchSize;
    private readonly StepDecaySchedule _schedule;

    /// <summary>Creates the planner.</summary>
    public FixedPlanner(int batchSize, StepDecaySchedule schedule)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(schedule);
        _batchSize = batchSize;
        _schedule = schedule;
    }

    /// <inheritdoc/>
    public StepPlan Plan(TrainingProgress progress) => new(_batchSize, _schedule.LearningRateAt(progress.Epoch));
}
