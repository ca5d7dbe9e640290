using System.Text.Json.Serialization;

namespace AutoBatch.Engine.Probe;

/// <summary>
/// Which eigenvalues of F̃ count as non-zero when c_k = σ_max / σ_min+ is formed (docs/DESIGN.md, 'The spectrum and the
/// rank rule').
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<RankRule>))]
public enum RankRule
{
    /// <summary>
    /// Float64 eigenvalues; σ_i = √λ_i counts when σ_i &gt; σ_max · τ, τ = B · ε_float32 unless set
    /// (<see cref="ProbeSettings.RankTolerance"/>). c_k can then never exceed 1 / τ.
    /// </summary>
    Tolerance = 0,

    /// <summary>
    /// The paper's reference code: float32 eigenvalues of F̃, negatives clamped to 0, and every eigenvalue that is then
    /// not exactly 0 counts.
    /// </summary>
    Reference = 1,
}
