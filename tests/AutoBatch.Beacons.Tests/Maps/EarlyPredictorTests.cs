using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class EarlyPredictorTests
{
    private const int Epochs = 10;

    private static readonly LogNormalisation Plane = new()
    {
        MinLogCondition = Math.Log(5),
        MaxLogCondition = Math.Log(500),
        MinLogEnergy = Math.Log(0.01),
        MaxLogEnergy = Math.Log(100),
    };

    private static readonly int[] BatchSizes = [8, 16, 32, 64, 128, 256, 512];
    private static readonly double[] Rates = [0.025, 0.05, 0.1, 0.2, 0.4];

    /// <summary>
    /// 35 configurations on a jittered lattice; three seeds each, scattered slightly around the configuration's
    /// position; every configuration drifts with the epochs by a common factor; final errors from <paramref name="error"/>.
    /// </summary>
    private static List<BeaconRun> Grid(Func<int, int, double, double, double> error)
    {
        var rng = new Random(17);
        var runs = new List<BeaconRun>();
        for (int i = 0; i < BatchSizes.Length; i++)
        {
            for (int j = 0; j < Rates.Length; j++)
            {
                double x = (i + 0.3 * (rng.NextDouble() - 0.5)) / (BatchSizes.Length - 1);
                double y = (j + 0.3 * (rng.NextDouble() - 0.5)) / (Rates.Length - 1);
                double e = error(i, j, x, y);
                for (int seed = 1; seed <= 3; seed++)
                {
                    double jc = Math.Exp(0.01 * (rng.NextDouble() - 0.5)), jl = Math.Exp(0.01 * (rng.NextDouble() - 0.5));
                    runs.Add(SyntheticBeacons.Run(BatchSizes[i], Rates[j], seed, Epochs,
                        epoch => new MeasurePoint(Plane.CumulativeCondition(x) * jc * Math.Exp(0.05 * epoch), Plane.CumulativeEnergy(y) * jl * epoch),
                        e + 0.002 * (seed - 2)));
                }
            }
        }

        return runs;
    }

    private static double Smooth(int i, int j, double x, double y) => 0.05 + 0.1 * ((x - 0.4) * (x - 0.4) + (y - 0.5) * (y - 0.5)) + 0.05 * x * y;

    [TestCase(0.1)]
    [TestCase(0.2)]
    [TestCase(0.4)]
    public void ASmoothFieldIsPredictedClosely(double fraction)
    {
        List<BeaconRun> runs = Grid(Smooth);
        EarlyPredictionResult result = new EarlyPredictor(runs, Epochs).Evaluate(fraction)!;
        double[] actual = result.Predictions.Select(p => p.Actual).ToArray();
        double baseline = actual.Average(a => Math.Abs(a - actual.Average()));
        Assert.Multiple(() =>
        {
            Assert.That(result.Configurations, Is.EqualTo(35));
            Assert.That(result.MeanAbsoluteError, Is.LessThan(0.5 * baseline), "much better than predicting the mean");
            Assert.That(result.MeanAbsoluteError, Is.LessThan(0.01), "one percentage point");
            Assert.That(result.SpearmanCorrelation, Is.GreaterThan(0.9));
            Assert.That(result.TopHitRate, Is.GreaterThanOrEqualTo(0.6));
        });
    }

    [Test]
    public void AConfigurationNeverPredictsItself()
    {
        // Errors unrelated to position: with its own seeds in the data every configuration would be an exact hit and
        // the prediction perfect. Left out, each prediction must be the interpolation over the other configurations.
        var rng = new Random(5);
        double[,] noise = new double[BatchSizes.Length, Rates.Length];
        for (int i = 0; i < BatchSizes.Length; i++)
        {
            for (int j = 0; j < Rates.Length; j++)
            {
                noise[i, j] = 0.05 + 0.4 * rng.NextDouble();
            }
        }

        List<BeaconRun> runs = Grid((i, j, _, _) => noise[i, j]);
        const double Fraction = 0.2;
        int epoch = EpochFractions.ToEpoch(Fraction, Epochs);
        EarlyPredictionResult result = new EarlyPredictor(runs, Epochs).Evaluate(Fraction)!;
        var configurations = runs.GroupBy(r => (r.BatchSize, r.LearningRate)).Select(g => (
            Label: $"s{g.Key.BatchSize}-lr{g.Key.LearningRate}",
            C: Math.Exp(g.Average(r => Math.Log(r.Epochs[epoch - 1].CumulativeCondition))),
            L: Math.Exp(g.Average(r => Math.Log(r.Epochs[epoch - 1].CumulativeEnergy))),
            Error: g.Average(r => r.FinalTestError))).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result.MeanAbsoluteError, Is.GreaterThan(0.02));
            foreach (ConfigurationPrediction p in result.Predictions)
            {
                var self = configurations.Single(c => c.Label == p.Label);
                var others = configurations.Where(c => c.Label != p.Label).Select(c => (c.C, c.L, c.Error)).ToArray();
                Assert.That(p.Actual, Is.EqualTo(self.Error).Within(1e-15));
                Assert.That(p.Predicted, Is.EqualTo(ReferenceIdw.Evaluate(others, self.C, self.L)).Within(1e-12), p.Label);
                Assert.That(p.Predicted, Is.Not.EqualTo(p.Actual).Within(1e-9), p.Label);
            }
        });
    }

    [Test]
    public void SummaryStatisticsAgreeWithThePredictions()
    {
        List<BeaconRun> runs = Grid(Smooth);
        EarlyPredictionResult result = new EarlyPredictor(runs, Epochs).Evaluate(0.4)!;
        string[] trueTop = result.Predictions.OrderBy(p => p.Actual).Take(5).Select(p => p.Label).ToArray();
        string[] predictedTop = result.Predictions.OrderBy(p => p.Predicted).Take(5).Select(p => p.Label).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result.Epoch, Is.EqualTo(4));
            Assert.That(result.TopCount, Is.EqualTo(5));
            Assert.That(result.TopHitRate, Is.EqualTo(trueTop.Intersect(predictedTop).Count() / 5.0));
            Assert.That(result.MeanAbsoluteError, Is.EqualTo(result.Predictions.Average(p => Math.Abs(p.Predicted - p.Actual))).Within(1e-15));
        });
    }

    [Test]
    public void ANewRunAtABeaconsPositionIsPredictedToEndLikeThatBeacon()
    {
        List<BeaconRun> runs = Grid(Smooth);
        BeaconRun[] seeds = runs.Where(r => r.BatchSize == 32 && r.LearningRate == 0.1).ToArray();
        var at = new MeasurePoint(
            Math.Exp(seeds.Average(r => Math.Log(r.Epochs[1].CumulativeCondition))),
            Math.Exp(seeds.Average(r => Math.Log(r.Epochs[1].CumulativeEnergy))));
        Assert.That(new EarlyPredictor(runs, Epochs).Predict(at, 0.2), Is.EqualTo(seeds.Average(r => r.FinalTestError)).Within(1e-12));
    }

    [Test]
    public void DivergedRunsAreIgnored()
    {
        List<BeaconRun> runs = Grid(Smooth);
        EarlyPredictionResult clean = new EarlyPredictor(runs, Epochs).Evaluate(0.2)!;
        runs.Add(SyntheticBeacons.Run(1024, 0.8, 1, 2, _ => new MeasurePoint(100, 1), 0.9, diverged: true));
        EarlyPredictionResult withDiverged = new EarlyPredictor(runs, Epochs).Evaluate(0.2)!;
        Assert.That(withDiverged.Predictions, Is.EqualTo(clean.Predictions));
    }

    [Test]
    public void FewerThanThreeConfigurationsCannotBeEvaluated()
    {
        BeaconRun[] runs = [.. Grid(Smooth).Where(r => r.LearningRate == 0.1 && r.BatchSize <= 16)];
        Assert.That(new EarlyPredictor(runs, Epochs).Evaluate(0.2), Is.Null);
    }

    [TestCase(0.05, 10, 1)]
    [TestCase(0.1, 10, 1)]
    [TestCase(0.6, 10, 6)]
    [TestCase(1.0, 10, 10)]
    [TestCase(0.05, 40, 2)]
    [TestCase(0.4, 3, 2)]
    public void FractionsMapToTheFirstEpochThatCompletesThem(double fraction, int epochs, int epoch) =>
        Assert.That(EpochFractions.ToEpoch(fraction, epochs), Is.EqualTo(epoch));
}
