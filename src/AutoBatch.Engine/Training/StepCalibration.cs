using System.Diagnostics;
using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Training;

/// <summary>
/// Times training steps at given batch sizes and puts the network back as it was: its parameters, buffers and
/// optimiser state are saved first and restored after, so the run's own training is unchanged bit for bit. Each batch
/// size gets <see cref="WarmUpSteps"/> untimed steps (first use of a shape) and then timed ones, at least
/// <see cref="MinimumSteps"/> and at least <see cref="MinimumSamples"/> samples' worth (at most <see cref="MaximumSteps"/>),
/// on consecutive slices of the epoch's sample order, without augmentation (which would draw from the run's generator).
/// </summary>
/// <remarks>
/// A fixed four steps were too short a sample at small batches: their per-sample times scattered widely from run to
/// run (docs/RESULTS.md), hence the floor on samples.
/// </remarks>
public static class StepCalibration
{
    /// <summary>Untimed steps per batch size.</summary>
    public const int WarmUpSteps = 1;

    /// <summary>The fewest timed steps per batch size.</summary>
    public const int MinimumSteps = 4;

    /// <summary>The fewest samples the timed steps of a batch size process together.</summary>
    public const int MinimumSamples = 2048;

    /// <summary>The most timed steps per batch size.</summary>
    public const int MaximumSteps = 64;

    /// <summary>The timed steps for a step of <paramref name="stepSamples"/> samples.</summary>
    public static int TimedSteps(int stepSamples) =>
        Math.Clamp((MinimumSamples + stepSamples - 1) / stepSamples, MinimumSteps, MaximumSteps);

    // The state is restored after, so the rate only has to be a valid one.
    private const double LearningRate = 1e-3;

    /// <summary>Times <paramref name="sizes"/> in order; a size larger than the data set is timed at the data set's size (as its steps would be).</summary>
    /// <param name="network">The network (no background probe pending).</param>
    /// <param name="data">The training data.</param>
    /// <param name="order">Sample indices to draw the batches from (the epoch's order).</param>
    /// <param name="sizes">The batch sizes.</param>
    public static IReadOnlyList<BatchTiming> Time(ITrainingNetwork network, IBatchSource data, ReadOnlySpan<int> order, IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sizes);
        if (network.ProbePending)
        {
            throw new InvalidOperationException("A background probe is pending; collect it before a calibration.");
        }

        if (order.IsEmpty || sizes.Any(b => b < 1))
        {
            throw new ArgumentException("A calibration needs samples and batch sizes >= 1.", nameof(sizes));
        }

        IReadOnlyList<StateTensor> model = network.GetState(StateSet.Model), optimiser = network.GetState(StateSet.Optimiser);
        var timings = new List<BatchTiming>(sizes.Count);
        try
        {
            int next = 0;
            foreach (int size in sizes)
            {
                int batch = Math.Min(size, order.Length);
                var x = new float[(long)batch * data.SampleSize];
                var y = new long[batch];
                var indices = new int[batch];
                int timed = TimedSteps(batch);
                double seconds = 0;
                for (int step = 0; step < WarmUpSteps + timed; step++)
                {
                    for (int i = 0; i < batch; i++)
                    {
                        indices[i] = order[next];
                        next = (next + 1) % order.Length;
                    }

                    long start = Stopwatch.GetTimestamp();
                    data.FillPlain(indices, x, y);
                    network.TrainStep(x, y, LearningRate);
                    if (step >= WarmUpSteps)
                    {
                        seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                    }
                }

                timings.Add(new BatchTiming(size, batch, timed, seconds));
            }
        }
        finally
        {
            network.SetState(model, StateSet.Model, "the state saved before the calibration");
            network.SetState(optimiser, StateSet.Optimiser, "the state saved before the calibration");
        }

        return timings;
    }
}
