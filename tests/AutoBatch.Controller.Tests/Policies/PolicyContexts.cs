using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Policies;

/// <summary>Hand-made policy contexts.</summary>
internal static class PolicyContexts
{
    public static EpochRecord Record(int epoch, double epochCondition = 100, double epochEnergy = 0.01, double noise = 50, int measurements = 10) => new()
    {
        Epoch = epoch,
        Iterations = 100,
        TotalIterations = 100L * epoch,
        MeanBatchSize = 64,
        BatchSize = 64,
        LearningRate = 0.05,
        TrainLoss = 0.4,
        TrainError = 0.1,
        TestLoss = 0.45,
        TestError = 0.12,
        CumulativeCondition = epochCondition,
        CumulativeEnergy = epochEnergy * 100 * epoch,
        EpochCondition = epochCondition,
        EpochEnergy = epochEnergy,
        MeanRank = 60,
        NoiseScale = noise,
        Measurements = measurements,
        TrainSeconds = 1,
        ProbeSeconds = 0.1,
        EvalSeconds = 0.1,
        Diverged = false,
    };

    /// <summary>At the boundary before 0-based <paramref name="epoch"/> of a 15-epoch run (phases 0-7, 8-11, 12-14).</summary>
    public static PolicyContext Boundary(int epoch, int batchSize = 64, int sinceChange = 5, EpochRecord? last = null) => new()
    {
        Epoch = epoch,
        Epochs = 15,
        IterationInEpoch = 1,
        Fraction = epoch / 15.0,
        Phase = epoch >= 12 ? 2 : epoch >= 8 ? 1 : 0,
        Phases = 3,
        PhaseFraction = 0,
        BatchSize = batchSize,
        EpochsSinceChange = sinceChange,
        EpochSize = 6400,
        ProbeInterval = 10,
        Measurements = 10L * epoch,
        CumulativeCondition = 100,
        CumulativeEnergy = 0.01 * 100 * epoch,
        ScheduledLearningRate = 0.05,
        BaseLearningRate = 0.05,
        ReferenceBatchSize = 64,
        LastEpoch = epoch == 0 ? null : last ?? Record(epoch),
    };
}
