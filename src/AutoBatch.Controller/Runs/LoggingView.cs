using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;
using Microsoft.Extensions.Logging;

namespace AutoBatch.Controller.Runs;

/// <summary>Passes progress on to another view and logs epochs and decisions.</summary>
public sealed class LoggingView(IRunView inner, ILogger logger) : IRunView
{
    /// <inheritdoc/>
    public void StepDone(StepEvent stepEvent) => inner.StepDone(stepEvent);

    /// <inheritdoc/>
    public void Epoch(EpochRecord record, double? distanceToRegion)
    {
        ArgumentNullException.ThrowIfNull(record);
        inner.Epoch(record, distanceToRegion);
        Log.EpochFinished(logger, record.Epoch, record.TestError, record.CumulativeCondition, record.CumulativeEnergy);
    }

    /// <inheritdoc/>
    public void Decision(DecisionRecord decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        inner.Decision(decision);
        if (decision.From != decision.To || decision.Kind != "decision")
        {
            Log.Decision(logger, decision.Kind, decision.Epoch, decision.From, decision.To, decision.Reason);
        }
    }

    /// <inheritdoc/>
    public void Warning(string message) => Log.RunWarning(logger, message);
}
