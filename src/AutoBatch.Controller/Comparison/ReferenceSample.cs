namespace AutoBatch.Controller.Comparison;

/// <summary>
/// What each schedule's test error is tested against (the best fixed beacon): the <c>best</c> schedule's runs
/// when the comparison has them, otherwise the map's runs of its best beacon.
/// </summary>
public sealed record ReferenceSample
{
    /// <summary>Description, e.g. <c>best (s128-lr0.05), 3 seeds of this comparison</c>.</summary>
    public required string Label { get; init; }

    /// <summary><c>schedule</c> (the comparison's best schedule) or <c>map</c> (the map's best beacon runs), or <c>none</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The final test errors compared against.</summary>
    public required IReadOnlyList<double> TestErrors { get; init; }

    /// <summary>Mean iterations of the reference at the comparison's epochs, when known.</summary>
    public double? Iterations { get; init; }
}
