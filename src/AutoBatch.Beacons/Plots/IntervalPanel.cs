namespace AutoBatch.Beacons.Plots;

/// <summary>One panel of an interval chart: a quantity (the x axis) over the same rows as its neighbours.</summary>
/// <param name="Title">Axis title, with the unit.</param>
/// <param name="Rows">Rows, top to bottom.</param>
/// <param name="IncludeZero">Start the axis at 0 (for costs, where ratios matter), not at the smallest value.</param>
public sealed record IntervalPanel(string Title, IReadOnlyList<IntervalRow> Rows, bool IncludeZero = false);
