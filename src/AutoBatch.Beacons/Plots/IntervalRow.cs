namespace AutoBatch.Beacons.Plots;

/// <summary>One row of an interval chart: a mean with its ± std whisker and the individual values (e.g. seeds).</summary>
/// <param name="Label">Row label (a schedule).</param>
/// <param name="Mean">Mean, or null when nothing was measured (the row is left empty).</param>
/// <param name="Std">Sample standard deviation, or null (one value: no whisker).</param>
/// <param name="Values">The individual values, drawn as small grey dots.</param>
/// <param name="IsReference">The reference row: its mean is drawn as a dashed line across the panel.</param>
public sealed record IntervalRow(string Label, double? Mean, double? Std, IReadOnlyList<double> Values, bool IsReference = false);
