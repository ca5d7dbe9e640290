using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Display;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Output;

/// <summary><c>run</c>'s final table compares iterations with the map's and shows only this machine's times.</summary>
public sealed class RunResultTableTests
{
    private static readonly BeaconMap Mlp = BeaconMapFile.Read(Path.Combine(RepositoryRoot(), "beacon-data", "fashion-mnist-mlp.json"));

    private static RunSummary Run(int epochs = 15, int epochSize = 60000) => new()
    {
        Policy = "closed-loop", Model = "mlp", Data = DataSetKind.FashionMnist, Seed = 1, Epochs = epochs, EpochSize = epochSize, InitialBatchSize = 32,
        LearningRate = 0.025, Rule = LearningRateRule.Keep, Completed = true, Diverged = false, Rollbacks = 0, FinalTestError = 0.0993,
        FinalTestLoss = 0.3, Iterations = 8796, BatchSizeChanges = 5, TrainSeconds = 49.9, ProbeSeconds = 1, EvalSeconds = 1,
        SamplesPerSecond = 18036, CumulativeCondition = 1, CumulativeEnergy = 1, Machine = "AMD EPYC test, 2 cores",
    };

    [Test]
    public void IterationsAgainstTheMapsTimesOnlyFromThisMachine()
    {
        BestBeacon best = Mlp.Derived.BestBeacons[0];
        (IReadOnlyList<string[]> rows, IReadOnlyList<string> notes) = RunResultTable.Build(Run(), best, Mlp);
        // The map's best beacon (B = 32, α = 0.025) recorded 15 x ceil(60000 / 32) = 28,125 iterations; 8,796 / 28,125 − 1 = −68.7%.
        double mapSeconds = Mlp.Runs.Where(r => r.BatchSize == 32 && r.LearningRate == 0.025).Average(r => r.Epochs.Sum(e => e.TrainSeconds));
        Assert.Multiple(() =>
        {
            Assert.That(best.Label, Does.Contain("32"));
            Assert.That(rows, Has.Count.EqualTo(2));
            Assert.That(rows[0], Is.EqualTo(new[] { "closed-loop (seed 1)", "9.93 %", "8,796", "−69%", "49.9 s", "18,036" }));
            Assert.That(rows[1][2], Is.EqualTo("28,125"));
            Assert.That(rows[1][4], Is.EqualTo("–"), "no time of the map's machine beside this run's");
            Assert.That(rows.SelectMany(r => r), Has.None.Contains(mapSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(RunResultTable.Headers, Does.Contain("train time (this machine)"));
            Assert.That(notes, Has.Some.Contains("AMD EPYC test").And.Contains(Mlp.Provenance.Machine).And.Contains("not comparable"));
            Assert.That(notes, Has.None.Contains("not like for like"));
        });
    }

    [Test]
    public void OtherEpochsOrASubsetAreFlagged()
    {
        BestBeacon best = Mlp.Derived.BestBeacons[0];
        Assert.Multiple(() =>
        {
            Assert.That(RunResultTable.Build(Run(epochs: 5), best, Mlp).Notes, Has.Some.Contains("15 epochs of 60,000 samples, this run 5 of 60,000"));
            Assert.That(RunResultTable.Build(Run(epochs: 5), best, Mlp).Rows[0][3], Is.EqualTo("–"), "no relative figure when not like for like");
            Assert.That(RunResultTable.Build(Run(epochSize: 6000), best, Mlp).Notes, Has.Some.Contains("not like for like"));
            Assert.That(RunResultTable.Build(Run(), null, null).Rows, Has.Count.EqualTo(1));
            Assert.That(RunResultTable.Build(Run(), null, null).Rows[0][3], Is.EqualTo("–"));
        });
    }

    private static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "AutoBatch.sln")))
            {
                return d;
            }
        }

        throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
    }
}
