using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>Synthetic beacon runs with known answers, and a realistic-looking grid for plots.</summary>
internal static class SyntheticBeacons
{
    public static readonly Provenance Provenance = new()
    {
        Command = "autobatch beacons --synthetic",
        Commit = "0000000",
        Date = "2025-01-01T00:00:00Z",
        Machine = "test",
        ThreadsPerRun = 1,
        ParallelRuns = 1,
        RunSeconds = 0,
        WallSeconds = 0,
    };

    public static GridSpec Grid(IReadOnlyList<int> batchSizes, IReadOnlyList<double> learningRates, IReadOnlyList<long> seeds, int epochs) => new()
    {
        Model = "mlp",
        Data = DataSetKind.FashionMnist,
        BatchSizes = batchSizes,
        LearningRates = learningRates,
        Seeds = seeds,
        Epochs = epochs,
        ProbeInterval = 50,
    };

    public static EpochRecord Epoch(int epoch, double condition, double energy, double testError) => new()
    {
        Epoch = epoch,
        Iterations = 100,
        TotalIterations = 100L * epoch,
        MeanBatchSize = 32,
        BatchSize = 32,
        LearningRate = 0.1,
        TrainLoss = 0.5,
        TrainError = testError * 0.8,
        TestLoss = 0.6,
        TestError = testError,
        CumulativeCondition = condition,
        CumulativeEnergy = energy,
        EpochCondition = condition,
        EpochEnergy = energy / epoch,
        MeanRank = 31,
        NoiseScale = 100,
        Measurements = 2,
        TrainSeconds = 1.5,
        ProbeSeconds = 0.25,
        EvalSeconds = 0.125,
        Diverged = false,
    };

    /// <summary>A run whose measures after epoch e are <paramref name="measures"/>(e) and whose final test error is given.</summary>
    public static BeaconRun Run(int batchSize, double learningRate, long seed, int epochs, Func<int, MeasurePoint> measures, double finalError, bool diverged = false)
    {
        var records = Enumerable.Range(1, epochs)
            .Select(e => Epoch(e, measures(e).CumulativeCondition, measures(e).CumulativeEnergy, e == epochs ? finalError : Math.Min(1.0, finalError + 0.2 / e)))
            .Select(r => r with { Diverged = diverged && r.Epoch == epochs })
            .ToArray();
        return new BeaconRun
        {
            Id = new RunKey(batchSize, learningRate, seed).Id,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Seed = seed,
            Diverged = diverged,
            WallSeconds = 10 + batchSize / 100.0,
            Epochs = records,
        };
    }

    /// <summary>
    /// A grid that follows the paper's relations (Sec. 4.1/4.2): C̄_K grows with B and a little with α, L_K grows with
    /// α and falls with B, and the final error is lowest for small B and moderate α. s8-lr0.4 diverges for seed 2.
    /// </summary>
    public static (GridSpec Grid, IReadOnlyList<BeaconRun> Runs) Realistic(int epochs = 20, int seedCount = 3)
    {
        int[] batchSizes = [8, 16, 32, 64, 128, 256, 512];
        double[] rates = [0.025, 0.05, 0.1, 0.2, 0.4];
        long[] seeds = Enumerable.Range(1, seedCount).Select(s => (long)s).ToArray();
        var runs = new List<BeaconRun>();
        foreach (long seed in seeds)
        {
            foreach (int b in batchSizes)
            {
                foreach (double lr in rates)
                {
                    var rng = new Random((int)(b * 1009 + Math.Round(lr * 1000) * 31 + seed * 7919));
                    double cNoise = Math.Exp(0.04 * Normal(rng)), lNoise = Math.Exp(0.04 * Normal(rng));
                    double cTrend = -0.04 + 0.015 * Math.Log2(b);
                    var energies = new double[epochs + 1];
                    for (int e = 1; e <= epochs; e++)
                    {
                        double phase = e > 0.75 * epochs ? 0.01 : e > 0.5 * epochs ? 0.1 : 1;
                        energies[e] = energies[e - 1] + 2000 * lr * phase / Math.Pow(b, 1.5) / (1 + 0.3 * e);
                    }

                    MeasurePoint At(int e) => new(
                        3 * Math.Pow(b, 0.55) * (1 + 0.15 * lr / 0.1) * (1 + cTrend * Math.Log(e)) * cNoise,
                        energies[e] * lNoise);

                    double error = 0.09 + 0.004 * Math.Pow(Math.Log2(b / 24.0), 2) + 0.006 * Math.Pow(Math.Log2(lr / 0.07), 2) + 0.002 * Normal(rng);
                    bool diverged = b == 8 && lr == 0.4 && seed == 2;
                    runs.Add(diverged
                        ? Run(b, lr, seed, 3, At, 0.9, diverged: true)
                        : Run(b, lr, seed, epochs, At, Math.Clamp(error, 0.01, 0.9)));
                }
            }
        }

        return (Grid(batchSizes, rates, seeds, epochs), runs);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
