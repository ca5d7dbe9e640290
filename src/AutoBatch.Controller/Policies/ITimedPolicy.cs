namespace AutoBatch.Controller.Policies;

/// <summary>
/// A policy that compares batch sizes by their predicted time to the end (<see cref="ThroughputModel"/>): the
/// <see cref="PolicyPlanner"/> has the ones it may move to calibrated before it decides, while the run has measured only
/// one batch size.
/// </summary>
public interface ITimedPolicy : IBatchPolicy
{
    /// <summary>The batch sizes a decision at <paramref name="batchSize"/> compares, <paramref name="batchSize"/> included.</summary>
    IReadOnlyList<int> Candidates(int batchSize);
}
