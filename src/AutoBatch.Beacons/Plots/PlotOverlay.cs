using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// A trajectory drawn over a map plot, e.g. a controlled run's (C̄_K, L_K) at successive epochs (paper, Fig. 1d and
/// Fig. 5: dynamic sampling runs travelling among the beacons).
/// </summary>
/// <param name="Label">Text shown at the end of the trajectory and in the legend.</param>
/// <param name="Points">The measures in order; unusable points (C̄_K or L_K ≤ 0) are skipped.</param>
public sealed record PlotOverlay(string Label, IReadOnlyList<MeasurePoint> Points);
