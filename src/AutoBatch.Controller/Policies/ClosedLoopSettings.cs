using System.ComponentModel.DataAnnotations;

namespace AutoBatch.Controller.Policies;

/// <summary>Settings of the <see cref="ClosedLoopPolicy"/> besides its <see cref="PolicyGuards"/>.</summary>
public sealed record ClosedLoopSettings
{
    /// <summary>Bounds, dwell time and last-phase freeze.</summary>
    public PolicyGuards Guards { get; init; } = new();

    /// <summary>
    /// Error tolerance δ (a fraction; null = the map's seed-to-seed standard deviation of final error, at least
    /// <see cref="MinimumTolerance"/>): the law tolerates a predicted final error up to the best fixed beacon's error
    /// plus δ; how far inside or outside that a change must be predicted is the map's margin (MapModel.ChangeMargin).
    /// </summary>
    [Range(0, 1)]
    public double? ErrorTolerance { get; init; }

    /// <summary>Floor of the automatic tolerance (default 0.001 = 0.1 percentage points).</summary>
    public const double MinimumTolerance = 0.001;

    /// <summary>Factor between neighbouring candidate batch sizes (default 2: halve, keep or double).</summary>
    [Range(1.01, 16)]
    public double Step { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Guards);
        Guards.Validate();
        if (ErrorTolerance is { } t && !(t >= 0 && t < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ErrorTolerance), t, "The error tolerance must be in [0, 1).");
        }

        if (!(Step > 1 && Step <= 16))
        {
            throw new ArgumentOutOfRangeException(nameof(Step), Step, "The step must be in (1, 16].");
        }
    }
}
