using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// One schedule's "travelling history" (paper, Fig. 5): its (C̄_K, L_K) at a few fractions of the epochs, e.g. the
/// geometric mean over its seeds at 5, 20, 40, 60, 80 and 100%.
/// </summary>
/// <param name="Label">Schedule name shown at the end of the line and in the legend.</param>
/// <param name="Fractions">Epoch fraction of each point, in (0, 1].</param>
/// <param name="Points">The measures at those fractions (same length); unusable points are skipped.</param>
public sealed record HistorySeries(string Label, IReadOnlyList<double> Fractions, IReadOnlyList<MeasurePoint> Points);
