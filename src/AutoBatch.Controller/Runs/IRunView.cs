using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Runs;

/// <summary>Receives a run's progress (a live console view, or nothing in tests and child processes).</summary>
public interface IRunView
{
    /// <summary>After every step.</summary>
    void StepDone(StepEvent stepEvent);

    /// <summary>After every epoch, with the distance of (C̄_K, L_K) to the map's optimum region when there is a map.</summary>
    void Epoch(EpochRecord record, double? distanceToRegion);

    /// <summary>After every logged decision.</summary>
    void Decision(DecisionRecord decision);

    /// <summary>Something the user should know that does not stop the run.</summary>
    void Warning(string message)
    {
    }
}
