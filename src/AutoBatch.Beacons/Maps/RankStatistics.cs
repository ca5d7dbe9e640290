namespace AutoBatch.Beacons.Maps;

/// <summary>Rank-based agreement measures for early prediction.</summary>
internal static class RankStatistics
{
    /// <summary>
    /// Spearman's ρ: the Pearson correlation of the ranks, ties given their average rank. Null when fewer than two
    /// values or when either side is constant (ρ is undefined).
    /// </summary>
    public static double? Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException("Both samples must have the same length.", nameof(b));
        }

        if (a.Count < 2)
        {
            return null;
        }

        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }

        return saa == 0 || sbb == 0 ? null : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>1-based ranks, ties sharing the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int[] order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var ranks = new double[values.Count];
        int start = 0;
        while (start < order.Length)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }

    /// <summary>
    /// Indices of the <paramref name="count"/> smallest values (ties broken by index, i.e. configuration order).
    /// </summary>
    public static HashSet<int> Lowest(IReadOnlyList<double> values, int count) =>
        Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).Take(count).ToHashSet();
}
