namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Outcome of <see cref="WelchTest.Compare"/>: Welch's t, the Welch–Satterthwaite degrees of freedom and the two-sided
/// p-value, or, when the test is undefined (fewer than two values on a side, or both sides constant), nulls and the
/// reason.
/// </summary>
public sealed record WelchResult
{
    /// <summary>Welch's t statistic (mean A − mean B over the unpooled standard error).</summary>
    public double? T { get; init; }

    /// <summary>Welch–Satterthwaite degrees of freedom.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>Two-sided p-value.</summary>
    public double? PValue { get; init; }

    /// <summary>Why the test is undefined (null when it is defined).</summary>
    public string? Undefined { get; init; }
}
