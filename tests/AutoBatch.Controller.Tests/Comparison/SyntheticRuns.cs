using System.Text.Json;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>Writes run folders as the run verb leaves them (summary.json, epochs.jsonl) with chosen numbers.</summary>
internal static class SyntheticRuns
{
    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "autobatch-compare-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static CompareRun Run(string schedule, long seed) => new(ScheduleSpec.Parse(schedule), seed);

    public static EpochRecord Epoch(int epoch, double condition, double energy, double trainSeconds, double probeSeconds, double testError = 0.2) => new()
    {
        Epoch = epoch,
        Iterations = 10,
        TotalIterations = 10L * epoch,
        MeanBatchSize = 32,
        BatchSize = 32,
        LearningRate = 0.05,
        TrainLoss = 0.5,
        TrainError = 0.1,
        TestLoss = 0.6,
        TestError = testError,
        CumulativeCondition = condition,
        CumulativeEnergy = energy,
        EpochCondition = condition,
        EpochEnergy = energy,
        MeanRank = 31,
        NoiseScale = 100,
        Measurements = 2,
        TrainSeconds = trainSeconds,
        ProbeSeconds = probeSeconds,
        EvalSeconds = 0.125,
        Diverged = false,
    };

    public static RunSummary Summary(CompareRun run, double testError, long iterations, int changes = 0, bool diverged = false, bool completed = true) => new()
    {
        Policy = run.Schedule.Name,
        Model = "mlp",
        Data = DataSetKind.FashionMnist,
        Seed = run.Seed,
        Epochs = 5,
        EpochSize = 6000,
        InitialBatchSize = 32,
        LearningRate = 0.05,
        Rule = LearningRateRule.Keep,
        Completed = completed,
        Diverged = diverged,
        Rollbacks = 0,
        FinalTestError = testError,
        FinalTestLoss = 0.5,
        Iterations = iterations,
        BatchSizeChanges = changes,
        TrainSeconds = 1,
        ProbeSeconds = 0.1,
        EvalSeconds = 0.1,
        SamplesPerSecond = 1000 + run.Seed,
        CumulativeCondition = 10,
        CumulativeEnergy = 1,
    };

    /// <summary>Writes epochs.jsonl and, unless <paramref name="summary"/> is null, summary.json into the run's folder.</summary>
    public static string Write(string compareFolder, CompareRun run, RunSummary? summary, IEnumerable<EpochRecord> epochs)
    {
        string folder = run.FolderIn(compareFolder);
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "epochs.jsonl"), epochs.Select(e => JsonSerializer.Serialize(e, EpochLog.Json)));
        if (summary is not null)
        {
            File.WriteAllText(Path.Combine(folder, RunSession.SummaryName), JsonSerializer.Serialize(summary, RunSession.SummaryJson));
        }

        return folder;
    }

    /// <summary>Five epochs with constant measures and per-epoch times.</summary>
    public static IEnumerable<EpochRecord> Epochs(double trainSeconds, double probeSeconds, Func<int, (double C, double L)>? measures = null) =>
        Enumerable.Range(1, 5).Select(e =>
        {
            (double c, double l) = measures?.Invoke(e) ?? (10, 1);
            return Epoch(e, c, l, trainSeconds, probeSeconds);
        });
}
