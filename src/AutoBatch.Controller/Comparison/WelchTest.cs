using MathNet.Numerics.Distributions;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Welch's two-sample t-test (unequal variances), as the paper uses to compare schedules (Sec. 4.3, Table 1:
/// "p = 0.72 vs s32"): t = (m_A − m_B) / sqrt(s²_A/n_A + s²_B/n_B), the Welch–Satterthwaite degrees of freedom
/// ν = (s²_A/n_A + s²_B/n_B)² / ((s²_A/n_A)²/(n_A−1) + (s²_B/n_B)²/(n_B−1)) and the two-sided p = 2·F_ν(−|t|),
/// F_ν the Student t CDF. Same numbers as scipy.stats.ttest_ind(a, b, equal_var=False).
/// </summary>
public static class WelchTest
{
    /// <summary>Tests whether the means of <paramref name="a"/> and <paramref name="b"/> differ.</summary>
    public static WelchResult Compare(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
        {
            return new WelchResult { Undefined = $"needs at least 2 values on each side (have {a.Count} and {b.Count}): no standard deviation" };
        }

        SampleStatistics sa = SampleStatistics.Of(a), sb = SampleStatistics.Of(b);
        double va = sa.Variance!.Value / a.Count, vb = sb.Variance!.Value / b.Count;
        double se2 = va + vb;
        if (!(se2 > 0))
        {
            // Both samples constant: t is 0/0 (equal means) or ±∞ (different means); neither gives a usable p.
            return new WelchResult
            {
                Undefined = sa.Mean == sb.Mean
                    ? "both samples are constant and equal: t is undefined"
                    : "both samples are constant with different means: zero variance, t is infinite",
            };
        }

        double t = (sa.Mean - sb.Mean) / Math.Sqrt(se2);
        double df = se2 * se2 / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));

        // 2·F(−|t|) rather than 2·(1 − F(|t|)): no cancellation for large |t|.
        double p = Math.Min(1, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t)));
        return new WelchResult { T = t, DegreesOfFreedom = df, PValue = p };
    }
}
