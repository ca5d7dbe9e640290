using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class MapRelationsTests
{
    private static readonly int[] Batches = [8, 16, 32, 64];
    private static readonly double[] Rates = [0.025, 0.05, 0.1];

    /// <summary>
    /// C̄_K depends on B only and grows with it; L_K = α / B × epoch; distinct final errors. Every within-group relation
    /// is then monotone, so ρ = ±1 exactly.
    /// </summary>
    private static BeaconMap Monotone()
    {
        var runs = new List<BeaconRun>();
        for (int i = 0; i < Batches.Length; i++)
        {
            for (int j = 0; j < Rates.Length; j++)
            {
                int b = Batches[i];
                double lr = Rates[j];
                runs.Add(SyntheticBeacons.Run(b, lr, 1, 4, e => new MeasurePoint(10 * Math.Sqrt(b), lr / b * e), 0.1 + 0.001 * (3 * i + j)));
            }
        }

        return BeaconMapBuilder.Build(SyntheticBeacons.Grid(Batches, Rates, [1], 4), runs, SyntheticBeacons.Provenance);
    }

    [Test]
    public void MonotoneRelationsGiveRhoOfPlusOrMinusOne()
    {
        MapRelations r = Monotone().Derived.Relations!;
        Assert.Multiple(() =>
        {
            Assert.That(r.ConditionWithBatchSize.PerGroup.Select(g => g.FixedAt), Is.EqualTo(Rates.Select(a => (double?)a)));
            Assert.That(r.ConditionWithBatchSize.PerGroup.Select(g => g.Spearman), Has.All.EqualTo(1.0).Within(1e-12));
            Assert.That(r.ConditionWithBatchSize.PerGroup.Select(g => g.Configurations), Has.All.EqualTo(4));
            Assert.That(r.ConditionWithBatchSize.Pooled.Spearman, Is.EqualTo(1.0).Within(1e-12), "C̄ a function of B alone ranks exactly like B, ties included");
            Assert.That(r.ConditionWithBatchSize.Pooled.Configurations, Is.EqualTo(12));

            Assert.That(r.EnergyWithLearningRate.PerGroup.Select(g => g.FixedAt), Is.EqualTo(Batches.Select(b => (double?)b)));
            Assert.That(r.EnergyWithLearningRate.PerGroup.Select(g => g.Spearman), Has.All.EqualTo(1.0).Within(1e-12));
            Assert.That(r.EnergyWithBatchSize.PerGroup.Select(g => g.Spearman), Has.All.EqualTo(-1.0).Within(1e-12));

            // C̄ is constant within a batch size (ρ undefined) and, over the balanced grid, uncorrelated with α.
            Assert.That(r.ConditionWithLearningRate.PerGroup.Select(g => g.Spearman), Has.All.Null);
            Assert.That(r.ConditionWithLearningRate.Pooled.Spearman, Is.EqualTo(0.0).Within(1e-12));

            Assert.That(r.ConditionWithBatchSize.PaperSign, Is.EqualTo(1));
            Assert.That(r.EnergyWithBatchSize.PaperSign, Is.EqualTo(-1));
        });
    }

    [Test]
    public void PooledRhoMatchesAHandWorkedTwoByTwoGrid()
    {
        // L = α / B on B ∈ {16, 32}, α ∈ {0.1, 0.2}: L = 0.00625, 0.0125, 0.003125, 0.00625 (ranks 2.5, 4, 1, 2.5);
        // α ranks 1.5, 3.5, 1.5, 3.5 -> co-moment 3, squared deviations 4 and 4.5 -> ρ(L, α) = 3 / √18 = 1/√2 and,
        // by the same arithmetic with B's ranks 1.5, 1.5, 3.5, 3.5, ρ(L, B) = −1/√2. Groups of two get no ρ.
        var runs = new List<BeaconRun>();
        int k = 0;
        foreach (int b in new[] { 16, 32 })
        {
            foreach (double lr in new[] { 0.1, 0.2 })
            {
                runs.Add(SyntheticBeacons.Run(b, lr, 1, 2, _ => new MeasurePoint(b, lr / b), 0.1 + 0.01 * k++));
            }
        }

        MapRelations r = BeaconMapBuilder.Build(SyntheticBeacons.Grid([16, 32], [0.1, 0.2], [1], 2), runs, SyntheticBeacons.Provenance).Derived.Relations!;
        Assert.Multiple(() =>
        {
            Assert.That(r.EnergyWithLearningRate.Pooled.Spearman, Is.EqualTo(1 / Math.Sqrt(2)).Within(1e-12));
            Assert.That(r.EnergyWithBatchSize.Pooled.Spearman, Is.EqualTo(-1 / Math.Sqrt(2)).Within(1e-12));
            Assert.That(r.EnergyWithLearningRate.PerGroup.Select(g => g.Configurations), Has.All.EqualTo(2));
            Assert.That(r.EnergyWithLearningRate.PerGroup.Select(g => g.Spearman), Has.All.Null);
            Assert.That(r.TopClustering, Is.Null, "four configurations cannot test a top five");
        });
    }

    [Test]
    public void FiveCloseBestConfigurationsAreTheOnlyTightestSubset()
    {
        // Six configurations on a 3 x 2 grid: five sit together in the plane with the lowest errors, the sixth is far
        // away and worst. Of the six 5-subsets only the top set avoids the far point, so it alone is as tight: 1/6.
        int[] batches = [8, 16, 32];
        double[] rates = [0.1, 0.2];
        var runs = new List<BeaconRun>();
        int k = 0;
        foreach (int b in batches)
        {
            foreach (double lr in rates)
            {
                bool far = b == 32 && lr == 0.2;
                var m = far ? new MeasurePoint(1000, 100) : new MeasurePoint(10 + k, 1 + 0.1 * k);
                runs.Add(SyntheticBeacons.Run(b, lr, 1, 3, _ => m, far ? 0.5 : 0.1 + 0.01 * k));
                k++;
            }
        }

        TopClustering t = BeaconMapBuilder.Build(SyntheticBeacons.Grid(batches, rates, [1], 3), runs, SyntheticBeacons.Provenance).Derived.Relations!.TopClustering!;
        Assert.Multiple(() =>
        {
            Assert.That(t.Count, Is.EqualTo(5));
            Assert.That(t.Labels, Does.Not.Contain("s32-lr0.2"));
            Assert.That(t.SubsetsCompared, Is.EqualTo(6));
            Assert.That(t.Exact, Is.True);
            Assert.That(t.TighterSubsetFraction, Is.EqualTo(1.0 / 6).Within(1e-15));
            Assert.That(t.SpreadRatio, Is.LessThan(0.5));
            Assert.That(t.GridComponents, Is.EqualTo(1));
        });
    }

    [TestCase("corners", 5, 0.965685424949238)] // (4 sides + 2 diagonals √2 + 4 half-diagonals √2/2) / 10 = (4 + 4√2) / 10
    [TestCase("plus", 1, 0.341421356237310)] // centre + 4 arms: (4 arms at 1/4 + 4 adjacent arm pairs at √2/4 + 2 opposite at 1/2) / 10
    public void ClusteringOnALatticeMatchesHandWorkedSpreads(string shape, int components, double spread)
    {
        // 5 x 5 configurations at the lattice points (i/4, j/4) of the normalised plane, B index i, α index j.
        int[] batches = [8, 16, 32, 64, 128];
        double[] rates = [0.025, 0.05, 0.1, 0.2, 0.4];
        var plane = new LogNormalisation { MinLogCondition = Math.Log(5), MaxLogCondition = Math.Log(500), MinLogEnergy = Math.Log(0.01), MaxLogEnergy = Math.Log(100) };
        (int I, int J)[] top = shape == "corners" ? [(0, 0), (0, 4), (4, 0), (4, 4), (2, 2)] : [(2, 2), (1, 2), (3, 2), (2, 1), (2, 3)];
        var runs = new List<BeaconRun>();
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                MeasurePoint m = plane.ToMeasures(i / 4.0, j / 4.0);
                int rank = Array.IndexOf(top, (i, j));
                runs.Add(SyntheticBeacons.Run(batches[i], rates[j], 1, 3, _ => m, rank >= 0 ? 0.1 + 0.001 * rank : 0.2 + 0.001 * (5 * i + j)));
            }
        }

        // Independent: the mean distance over all 300 pairs of the lattice.
        var points = Enumerable.Range(0, 25).Select(p => (X: p / 5 / 4.0, Y: p % 5 / 4.0)).ToArray();
        double all = 0;
        for (int a = 0; a < 25; a++)
        {
            for (int b = a + 1; b < 25; b++)
            {
                all += Math.Sqrt(Math.Pow(points[a].X - points[b].X, 2) + Math.Pow(points[a].Y - points[b].Y, 2));
            }
        }

        all /= 300;
        TopClustering t = BeaconMapBuilder.Build(SyntheticBeacons.Grid(batches, rates, [1], 3), runs, SyntheticBeacons.Provenance).Derived.Relations!.TopClustering!;
        Assert.Multiple(() =>
        {
            Assert.That(t.GridComponents, Is.EqualTo(components));
            Assert.That(t.TopSpread, Is.EqualTo(spread).Within(1e-9));
            Assert.That(t.AllSpread, Is.EqualTo(all).Within(1e-9));
            Assert.That(t.SubsetsCompared, Is.EqualTo(53130), "C(25, 5)");
            Assert.That(t.TighterSubsetFraction, shape == "corners" ? Is.GreaterThan(0.99) : Is.LessThan(0.01));
        });
    }

    [Test]
    public void StabilitySeesPreservedAndReversedOrderings()
    {
        // Five epochs: in epochs 1-4 C̄ already ranks as at the end while L ranks in reverse; the test errors keep
        // their order throughout (SyntheticBeacons: error + 0.2 / epoch before the last).
        var runs = new List<BeaconRun>();
        for (int i = 0; i < 6; i++)
        {
            int b = 8 << i;
            runs.Add(SyntheticBeacons.Run(b, 0.1, 1, 5, e => new MeasurePoint(10 + i * (e == 5 ? 3 : 1), e == 5 ? 1 + i : 10 - i), 0.1 + 0.01 * i));
        }

        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid(runs.Select(r => r.BatchSize).ToArray(), [0.1], [1], 5), runs, SyntheticBeacons.Provenance);
        IReadOnlyList<OrderingStability> s = map.Derived.Relations!.Stability;
        Assert.Multiple(() =>
        {
            Assert.That(s.Select(x => x.Fraction), Is.EqualTo(EpochFractions.Prediction));
            Assert.That(s.Select(x => x.Epoch), Is.EqualTo(new[] { 1, 1, 2 }));
            Assert.That(s.Select(x => x.Configurations), Has.All.EqualTo(6));
            Assert.That(s.Select(x => x.Condition), Has.All.EqualTo(1.0).Within(1e-12));
            Assert.That(s.Select(x => x.Energy), Has.All.EqualTo(-1.0).Within(1e-12));
            Assert.That(s.Select(x => x.CurrentError), Has.All.EqualTo(1.0).Within(1e-12));
            Assert.That(s.Select(x => x.PredictedError), Is.EqualTo(map.Derived.EarlyPrediction.Select(p => p.SpearmanCorrelation)));
        });
    }

    [Test]
    public void TheSummaryStatesTheNumbers()
    {
        string text = RelationsSummary.Format(Monotone());
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Relations over 12 configurations"));
            Assert.That(text, Does.Contain("C̄_K vs B [+]: pooled +1.00 (n = 12); per α: 0.025: +1.00 (4), 0.05: +1.00 (4), 0.1: +1.00 (4)"));
            Assert.That(text, Does.Contain("L_K vs B [−]: pooled "));
            Assert.That(text, Does.Contain("per α: 0.025: −1.00 (4)"));
            Assert.That(text, Does.Contain("C̄_K vs α [+]: pooled 0.00 (n = 12); per B: 8: n/a (3)"));
            Assert.That(text, Does.Contain("Top 5 (s8-lr0.025, s8-lr0.05, s8-lr0.1, s16-lr0.025, s16-lr0.05)"));
            Assert.That(text, Does.Contain("Ordering at 20% (epoch 1) vs final, n = 12"));
            Assert.That(text, Does.Contain("Collapsed (no NaN, final test error ≥ 85%): none"));
            Assert.That(text, Does.Contain("Diverged (non-finite loss): 0 of 12 runs"));
        });
    }

    [Test]
    public void AMapWithoutRelationsSaysSo()
    {
        BeaconMap map = Monotone();
        map = map with { Derived = map.Derived with { Relations = null } };
        Assert.That(RelationsSummary.Format(map), Does.Contain("no relations"));
    }
}
