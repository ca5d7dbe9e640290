using System.Globalization;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// Gradient-noise-scale baseline (AdaptDL/Pollux-style, McCandlish et al. 2018): at each epoch boundary the batch
/// size becomes the previous epoch's mean simple noise scale B_simple = tr Σ / |ḡ|² from the same probe, rounded to a
/// power of two (so that noise in B_simple does not move it every epoch) and clamped to the guards' bounds.
/// </summary>
public sealed class NoiseScalePolicy : IBatchPolicy
{
    private readonly PolicyGuards _guards;

    /// <summary>Creates the policy.</summary>
    public NoiseScalePolicy(PolicyGuards guards)
    {
        ArgumentNullException.ThrowIfNull(guards);
        guards.Validate();
        _guards = guards;
    }

    /// <inheritdoc/>
    public string Name => "noise-scale";

    /// <inheritdoc/>
    public string Settings => $"{Name}, {_guards}";

    /// <summary>The nearest power of two to <paramref name="value"/> in log scale (value &gt; 0).</summary>
    public static int NearestPowerOfTwo(double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Must be finite and > 0.");
        }

        double exponent = Math.Round(Math.Log2(value), MidpointRounding.AwayFromZero);
        return (int)Math.Pow(2, Math.Clamp(exponent, 0, 30));
    }

    /// <inheritdoc/>
    public BatchDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_guards.Check(context) is { } held)
        {
            return held;
        }

        double noise = context.LastEpoch!.NoiseScale;
        if (context.LastEpoch.Measurements == 0 || !(noise > 0))
        {
            return new BatchDecision(context.BatchSize, "no noise-scale measurement in the last epoch", Evaluated: true);
        }

        int target = _guards.Clamp(NearestPowerOfTwo(noise));
        string reason = target == context.BatchSize
            ? string.Create(CultureInfo.InvariantCulture, $"B_simple = {noise:G4} rounds to {target}: keep B = {context.BatchSize}")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"B_simple = {noise:G4} rounds to {target} (bounds {_guards.MinBatchSize}..{_guards.MaxBatchSize}): B {context.BatchSize} -> {target}");
        return new BatchDecision(target, reason, Evaluated: true)
        {
            Inputs = new Dictionary<string, double> { ["noiseScale"] = noise },
        };
    }
}
