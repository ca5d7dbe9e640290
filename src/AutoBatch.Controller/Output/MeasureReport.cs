using System.Text.Json;
using System.Text.Json.Serialization;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Output;

/// <summary>
/// What the <c>measure</c> verb prints: the configuration of one probe of F̃ = JᵀJ and everything it measured
/// (docs/DESIGN.md, 'The measures'). What was not measured is written as JSON null, never as a number that could pass
/// for a measurement: with status NonFinite every spectral number and trace (F̃ had non-finite entries), with status
/// Zero the condition number and λ_r (rank 0: there is no smallest counted eigenvalue), with a batch of one tr Σ and
/// B_simple.
/// </summary>
public sealed record MeasureReport
{
    private static readonly JsonSerializerOptions Json = new(EpochLog.Json) { WriteIndented = true };

    /// <summary>Canonical model name.</summary>
    public required string Model { get; init; }

    /// <summary>Data set kind.</summary>
    public required string Data { get; init; }

    /// <summary>The folder the data set was read from (full path).</summary>
    public required string DataPath { get; init; }

    /// <summary>Number of trainable parameters P.</summary>
    public required long Parameters { get; init; }

    /// <summary><c>file</c> (loaded from <see cref="WeightsPath"/>) or <c>initial</c> (the initial weights drawn from <see cref="Seed"/>).</summary>
    public required string WeightsSource { get; init; }

    /// <summary>The weights file, or null for initial weights.</summary>
    public required string? WeightsPath { get; init; }

    /// <summary>The seed of the drawn batch, the augmentation and (for initial weights) the weights.</summary>
    public required long Seed { get; init; }

    /// <summary>Mini-batch size B.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The training-set indices of the batch, in batch order.</summary>
    public required IReadOnlyList<int> Indices { get; init; }

    /// <summary><c>explicit</c> (given with --indices) or <c>seeded</c> (drawn from <see cref="Seed"/>).</summary>
    public required string IndexSource { get; init; }

    /// <summary>Learning rate α.</summary>
    public required double LearningRate { get; init; }

    /// <summary><c>train</c> (batch statistics) or <c>eval</c> (running statistics).</summary>
    public required string BnMode { get; init; }

    /// <summary>The augmentation applied to the batch (<c>None</c> unless --augment).</summary>
    public required string Augmentation { get; init; }

    /// <summary>The Gram path requested.</summary>
    public required string GramMode { get; init; }

    /// <summary>The rank tolerance applied, relative to σ_max: --rank-tolerance, or the default B · ε_float32.</summary>
    public required double RankTolerance { get; init; }

    /// <summary><c>option</c> (--rank-tolerance) or <c>default</c> (B · ε_float32).</summary>
    public required string RankToleranceSource { get; init; }

    /// <summary>The rank rule of <see cref="Rank"/> and <see cref="StepCondition"/> (--rank-rule): Tolerance or Reference.</summary>
    public required string RankRule { get; init; }

    /// <summary>The same batch under the other rank rule (measure applies both); null unless F̃ was analysed (status Ok).</summary>
    public required RuleMeasure? OtherRule { get; init; }

    /// <summary>libtorch intra-op threads.</summary>
    public required int Threads { get; init; }

    /// <summary>The device the probe ran on (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
    public required string Device { get; init; }

    /// <summary>Ok, Zero or NonFinite (see <see cref="ProbeStatus"/>).</summary>
    public required string Status { get; init; }

    /// <summary>All B eigenvalues of F̃, ascending, clamped at zero; null when F̃ was not finite.</summary>
    public required IReadOnlyList<double>? Eigenvalues { get; init; }

    /// <summary>Numerical rank r; null when F̃ was not finite.</summary>
    public required int? Rank { get; init; }

    /// <summary>c = sqrt(λ_max / λ_r) (paper Eq. 7).</summary>
    [JsonPropertyName("condition")]
    public required double? StepCondition { get; init; }

    /// <summary>l = (α / B) · sqrt(Tr F̃) (paper Eq. 8).</summary>
    [JsonPropertyName("energy")]
    public required double? StepEnergy { get; init; }

    /// <summary>Tr F̃.</summary>
    public required double? Trace { get; init; }

    /// <summary>Largest eigenvalue λ_max.</summary>
    public required double? LambdaMax { get; init; }

    /// <summary>Smallest eigenvalue counted in the rank, λ_r.</summary>
    public required double? LambdaMinPositive { get; init; }

    /// <summary>Per-layer share of Tr F̃, by probed layer name, in network order.</summary>
    public required IReadOnlyDictionary<string, double?> LayerTraces { get; init; }

    /// <summary>
    /// How the probe formed each layer's Gram: <c>Ghost</c>, <c>Rows</c> (per-sample gradients built after the backward;
    /// every BatchNorm layer) or <c>Fused</c> (rows the conv layer's backward computed); null when F̃ was not formed.
    /// </summary>
    public IReadOnlyDictionary<string, string>? LayerPaths { get; init; }

    /// <summary>|ḡ|² = 1ᵀF̃1 / B².</summary>
    public required double? MeanGradientSquaredNorm { get; init; }

    /// <summary>tr Σ = (Tr F̃ − B|ḡ|²)/(B − 1); null for a batch of one, where it is undefined.</summary>
    public required double? VarianceTrace { get; init; }

    /// <summary>B_simple = tr Σ / |ḡ|² (McCandlish et al. 2018); null for a batch of one.</summary>
    public required double? NoiseScale { get; init; }

    /// <summary>Seconds spent building F̃ after the backward.</summary>
    public required double GramSeconds { get; init; }

    /// <summary>
    /// Seconds the backward spent on fused conv layers' per-sample gradients (their weight gradient included); 0 when
    /// no layer took the fused path.
    /// </summary>
    public required double RowsSeconds { get; init; }

    /// <summary>Seconds spent in the eigensolver.</summary>
    public required double EigenSeconds { get; init; }

    /// <summary>
    /// F̃ itself with <c>--gram</c> (row i, column j = ⟨g_i, g_j⟩, symmetrised as the spectrum saw it; null entries for
    /// non-finite values); null without <c>--gram</c>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double?>>? Gram { get; init; }

    /// <summary>JSON has no NaN or infinity: those become null.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>The report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
