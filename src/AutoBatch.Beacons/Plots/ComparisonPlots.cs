using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// SVG plots of a schedule comparison (docs/DESIGN.md, 'Comparison'): the travelling history over the beacons (paper,
/// Fig. 5) and interval charts (mean ± std per schedule) of test error and costs. The map's error contour with the
/// schedules on top is <see cref="MapPlots.Contour"/> with overlays.
/// </summary>
public static class ComparisonPlots
{
    /// <summary>
    /// C̄_K against L_K on log axes: each series' points joined in fraction order, one marker shape per fraction,
    /// over the map's beacons (every configuration at the same fractions, dotted grey, its final point a grey dot).
    /// <paramref name="map"/> may be null (no beacons drawn).
    /// </summary>
    public static string History(BeaconMap? map, IReadOnlyList<HistorySeries> series, string title)
    {
        ArgumentNullException.ThrowIfNull(series);
        return HistoryPlot.Render(map, series, title);
    }

    /// <summary>Interval charts side by side, sharing the rows' labels.</summary>
    public static string Intervals(string title, string? subtitle, IReadOnlyList<IntervalPanel> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0 || panels.Any(p => p.Rows.Count != panels[0].Rows.Count))
        {
            throw new ArgumentException("Interval charts need at least one panel, all with the same rows.", nameof(panels));
        }

        return IntervalPlot.Render(title, subtitle, panels);
    }

    /// <summary>A categorical colour for the <paramref name="index"/>-th series (Tableau 10, cycling).</summary>
    public static string SeriesColour(int index) => Categorical[((index % Categorical.Length) + Categorical.Length) % Categorical.Length];

    private static readonly string[] Categorical =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
}
