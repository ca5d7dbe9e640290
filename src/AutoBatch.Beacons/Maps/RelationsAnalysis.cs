using AutoBatch.Beacons.Grid;

namespace AutoBatch.Beacons.Maps;

/// <summary>Computes a map's <see cref="MapRelations"/> from its configurations.</summary>
internal static class RelationsAnalysis
{
    private const int SamplingSeed = 20200101;

    /// <summary>
    /// The relations over <paramref name="configurations"/> (already free of diverged and collapsed runs), with the
    /// top set <paramref name="best"/> placed in the final region's <paramref name="plane"/>.
    /// </summary>
    public static MapRelations Compute(GridSpec grid, IReadOnlyList<BeaconConfiguration> configurations, IReadOnlyList<BestBeacon> best, LogNormalisation plane, EarlyPredictor predictor)
    {
        var finals = configurations
            .Select(c => (Configuration: c, Measures: c.MeasuresAt(grid.Epochs)))
            .Where(x => x.Measures is not null)
            .Select(x => new Final(x.Configuration, x.Measures!))
            .ToArray();
        return new MapRelations
        {
            ConditionWithBatchSize = Relation(finals, "conditionMean", "batchSize", +1, f => f.Measures.CumulativeCondition),
            ConditionWithLearningRate = Relation(finals, "conditionMean", "learningRate", +1, f => f.Measures.CumulativeCondition),
            EnergyWithLearningRate = Relation(finals, "energy", "learningRate", +1, f => f.Measures.CumulativeEnergy),
            EnergyWithBatchSize = Relation(finals, "energy", "batchSize", -1, f => f.Measures.CumulativeEnergy),
            TopClustering = Clustering(grid, finals, best, plane),
            Stability = EpochFractions.Prediction.Select(f => Stability(grid, configurations, predictor, f)).OfType<OrderingStability>().ToArray(),
        };
    }

    private static RankRelation Relation(Final[] finals, string measure, string factor, int paperSign, Func<Final, double> value)
    {
        bool byBatch = factor == "batchSize";
        double Factor(Final f) => byBatch ? f.Configuration.BatchSize : f.Configuration.LearningRate;
        double Other(Final f) => byBatch ? f.Configuration.LearningRate : f.Configuration.BatchSize;
        RankCorrelation Correlate(IReadOnlyList<Final> group, double? fixedAt) => new()
        {
            FixedAt = fixedAt,
            Configurations = group.Count,
            Spearman = group.Count < MapRelations.MinimumConfigurations
                ? null
                : RankStatistics.Spearman(group.Select(Factor).ToArray(), group.Select(value).ToArray()),
        };

        return new RankRelation
        {
            Measure = measure,
            Factor = factor,
            PaperSign = paperSign,
            PerGroup = finals.GroupBy(Other).OrderBy(g => g.Key).Select(g => Correlate(g.ToArray(), g.Key)).ToArray(),
            Pooled = Correlate(finals, null),
        };
    }

    private static TopClustering? Clustering(GridSpec grid, Final[] finals, IReadOnlyList<BestBeacon> best, LogNormalisation plane)
    {
        int k = best.Count, n = finals.Length;
        if (k < 2 || n <= k)
        {
            return null;
        }

        double[] x = finals.Select(f => plane.X(f.Measures.CumulativeCondition)).ToArray();
        double[] y = finals.Select(f => plane.Y(f.Measures.CumulativeEnergy)).ToArray();
        var distance = new double[n, n];
        double all = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                distance[i, j] = distance[j, i] = Math.Sqrt((x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]));
                all += distance[i, j];
            }
        }

        all /= n * (n - 1) / 2.0;
        int[] top = best.Select(b => Array.FindIndex(finals, f => f.Configuration.Label == b.Label)).ToArray();
        double topSpread = Spread(distance, top);

        // Tolerance: the top set's own spread must count as "at least as tight" despite summation order.
        double limit = topSpread + 1e-12;
        double subsets = Choose(n, k);
        long compared = 0, tighter = 0;
        bool exact = subsets <= MapRelations.ExactSubsetLimit;
        if (exact)
        {
            int[] index = Enumerable.Range(0, k).ToArray();
            while (true)
            {
                compared++;
                if (Spread(distance, index) <= limit)
                {
                    tighter++;
                }

                // Next combination in lexicographic order.
                int p = k - 1;
                while (p >= 0 && index[p] == n - k + p)
                {
                    p--;
                }

                if (p < 0)
                {
                    break;
                }

                index[p]++;
                for (int q = p + 1; q < k; q++)
                {
                    index[q] = index[q - 1] + 1;
                }
            }
        }
        else
        {
            var rng = new Random(SamplingSeed);
            int[] pool = Enumerable.Range(0, n).ToArray();
            var subset = new int[k];
            for (; compared < MapRelations.ExactSubsetLimit; compared++)
            {
                for (int i = 0; i < k; i++)
                {
                    int j = rng.Next(i, n);
                    (pool[i], pool[j]) = (pool[j], pool[i]);
                    subset[i] = pool[i];
                }

                if (Spread(distance, subset) <= limit)
                {
                    tighter++;
                }
            }
        }

        return new TopClustering
        {
            Count = k,
            Labels = best.Select(b => b.Label).ToArray(),
            TopSpread = topSpread,
            AllSpread = all,
            SpreadRatio = all > 0 ? topSpread / all : 1,
            TighterSubsetFraction = (double)tighter / compared,
            SubsetsCompared = compared,
            Exact = exact,
            GridComponents = GridComponents(grid, best),
        };
    }

    private static double Spread(double[,] distance, int[] members)
    {
        double sum = 0;
        for (int a = 0; a < members.Length; a++)
        {
            for (int b = a + 1; b < members.Length; b++)
            {
                sum += distance[members[a], members[b]];
            }
        }

        return sum / (members.Length * (members.Length - 1) / 2.0);
    }

    private static double Choose(int n, int k)
    {
        double c = 1;
        for (int i = 1; i <= k; i++)
        {
            c = c * (n - k + i) / i;
        }

        return Math.Round(c);
    }

    // Connected pieces under "king move" adjacency in the grid's index space: halving B at fixed α, or doubling both
    // (the linear scaling rule's diagonal), are both neighbours.
    private static int GridComponents(GridSpec grid, IReadOnlyList<BestBeacon> best)
    {
        int[] batches = grid.BatchSizes.Order().ToArray();
        double[] rates = grid.LearningRates.Order().ToArray();
        var cells = best.Select(b => (I: Array.IndexOf(batches, b.BatchSize), J: Array.IndexOf(rates, b.LearningRate))).ToArray();
        var seen = new bool[cells.Length];
        int components = 0;
        for (int start = 0; start < cells.Length; start++)
        {
            if (seen[start])
            {
                continue;
            }

            components++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                int at = stack.Pop();
                for (int other = 0; other < cells.Length; other++)
                {
                    if (!seen[other] && Math.Abs(cells[at].I - cells[other].I) <= 1 && Math.Abs(cells[at].J - cells[other].J) <= 1)
                    {
                        seen[other] = true;
                        stack.Push(other);
                    }
                }
            }
        }

        return components;
    }

    private static OrderingStability? Stability(GridSpec grid, IReadOnlyList<BeaconConfiguration> configurations, EarlyPredictor predictor, double fraction)
    {
        int epoch = EpochFractions.ToEpoch(fraction, grid.Epochs);
        var pairs = configurations
            .Select(c => (Configuration: c, Early: c.MeasuresAt(epoch), Final: c.MeasuresAt(grid.Epochs)))
            .Where(p => p.Early is not null && p.Final is not null)
            .ToArray();
        if (pairs.Length == 0)
        {
            return null;
        }

        double? Rho(Func<(BeaconConfiguration Configuration, MeasurePoint? Early, MeasurePoint? Final), double> early, Func<(BeaconConfiguration Configuration, MeasurePoint? Early, MeasurePoint? Final), double> final) =>
            pairs.Length < MapRelations.MinimumConfigurations ? null : RankStatistics.Spearman(pairs.Select(early).ToArray(), pairs.Select(final).ToArray());

        return new OrderingStability
        {
            Fraction = fraction,
            Epoch = epoch,
            Configurations = pairs.Length,
            PredictedError = predictor.Evaluate(fraction)?.SpearmanCorrelation,
            CurrentError = Rho(p => p.Configuration.MeanTestErrorAt(epoch), p => p.Configuration.MeanFinalError),
            Condition = Rho(p => p.Early!.CumulativeCondition, p => p.Final!.CumulativeCondition),
            Energy = Rho(p => p.Early!.CumulativeEnergy, p => p.Final!.CumulativeEnergy),
        };
    }

    private sealed record Final(BeaconConfiguration Configuration, MeasurePoint Measures);
}
