using System.Threading.Channels;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Library;

/// <summary>Passes a run's epochs and decisions on as <see cref="TrainingEvent"/>s (steps are not passed on).</summary>
internal sealed class ChannelView(ChannelWriter<TrainingEvent> writer) : IRunView
{
    public void StepDone(StepEvent stepEvent)
    {
    }

    public void Epoch(EpochRecord record, double? distanceToRegion) => writer.TryWrite(new EpochCompleted(record, distanceToRegion));

    public void Decision(DecisionRecord decision) => writer.TryWrite(new DecisionMade(decision));
}
