namespace AutoBatch.Engine.Probe;

/// <summary>What one probe of F̃ = JᵀJ measured (docs/DESIGN.md). Valid only when <see cref="Status"/> is Ok.</summary>
public sealed record ProbeReading
{
    /// <summary>Whether the measures are valid.</summary>
    public required ProbeStatus Status { get; init; }

    /// <summary>Mini-batch size B.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Learning rate α_k of the step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Numerical rank of J.</summary>
    public required int Rank { get; init; }

    /// <summary>Tr F̃.</summary>
    public required double Trace { get; init; }

    /// <summary>Largest eigenvalue of F̃.</summary>
    public required double LambdaMax { get; init; }

    /// <summary>Smallest eigenvalue counted in the rank.</summary>
    public required double LambdaMinPositive { get; init; }

    /// <summary>c_k = σ_max / σ_min+ (paper Eq. 7).</summary>
    public required double StepCondition { get; init; }

    /// <summary>|ḡ|² = 1ᵀF̃1 / B².</summary>
    public required double MeanGradientSquaredNorm { get; init; }

    /// <summary>tr Σ = (Tr F̃ − B|ḡ|²)/(B − 1).</summary>
    public required double VarianceTrace { get; init; }

    /// <summary>Gradient noise scale B_simple = tr Σ / |ḡ|² (McCandlish et al. 2018).</summary>
    public required double NoiseScale { get; init; }

    /// <summary>Seconds spent building F̃ after the backward (the fused layers' per-sample gradients are built inside it).</summary>
    public required double GramSeconds { get; init; }

    /// <summary>Seconds spent in the eigensolver.</summary>
    public required double EigenSeconds { get; init; }

    /// <summary>
    /// Conv layers whose per-sample gradients the backward itself computed (the fused path: a probed step spends no
    /// separate batch weight gradient on them); the other layers were probed after the backward.
    /// </summary>
    public int FusedLayers { get; init; }

    /// <summary>
    /// Seconds the backward spent on the fused layers' per-sample gradients and their sum, which is those layers'
    /// weight gradient (0 without fused layers): an upper bound on what they added to the step.
    /// </summary>
    public double RowsSeconds { get; init; }

    /// <summary>The probe's own time: <see cref="RowsSeconds"/> + <see cref="GramSeconds"/> + <see cref="EigenSeconds"/>.</summary>
    public double Seconds => RowsSeconds + GramSeconds + EigenSeconds;

    /// <summary>Per-layer traces, in <see cref="Training.Network.ProbeLayerNames"/> order (when requested).</summary>
    public IReadOnlyList<double>? LayerTraces { get; init; }

    /// <summary>
    /// How each layer's Gram was formed, in <see cref="Training.Network.ProbeLayerNames"/> order: by the standalone
    /// <see cref="Training.Network.Probe"/> of a batch whose F̃ was formed (status Ok or Zero); null otherwise.
    /// </summary>
    public IReadOnlyList<LayerPath>? LayerPaths { get; init; }

    /// <summary>
    /// Per-layer 1ᵀF̃_layer1 = |Σ_i g_i|² over that layer's parameters, which equals B²|∇L|² for the layer
    /// (returned by <see cref="Training.Network.Probe"/>).
    /// </summary>
    public IReadOnlyList<double>? LayerGradientSums { get; init; }

    /// <summary>All eigenvalues of F̃, ascending, clamped at zero (when requested).</summary>
    public IReadOnlyList<double>? Eigenvalues { get; init; }

    /// <summary>The rank rule that decided <see cref="Rank"/>, <see cref="LambdaMax"/>, <see cref="LambdaMinPositive"/> and <see cref="StepCondition"/>.</summary>
    public RankRule RankRule { get; init; }

    /// <summary>
    /// The same spectrum under the other rank rule, when the probe applied both (<see cref="ProbeSettings.BothRankRules"/>);
    /// null otherwise.
    /// </summary>
    public RuleMeasure? OtherRule { get; init; }

    /// <summary>
    /// This reading, whose rank fields hold what the tolerance rule found, under the rule <paramref name="settings"/>
    /// ask for, with the other rule's measure kept when they ask for both. <paramref name="reference"/> is the reference
    /// rule's measure of the same F̃, required when either asks for it and the reading is Ok.
    /// </summary>
    public ProbeReading UnderRule(ProbeSettings settings, RuleMeasure? reference)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (Status != ProbeStatus.Ok || !settings.AppliesReferenceRule)
        {
            return this with { RankRule = settings.RankRule };
        }

        if (reference is null)
        {
            throw new InvalidOperationException("The reference rank rule was asked for, but the probe did not apply it.");
        }

        var tolerance = new RuleMeasure(RankRule.Tolerance, Rank, LambdaMax, LambdaMinPositive);
        (RuleMeasure chosen, RuleMeasure other) = settings.RankRule == RankRule.Reference ? (reference, tolerance) : (tolerance, reference);
        return this with
        {
            Status = chosen.Rank > 0 ? ProbeStatus.Ok : ProbeStatus.Zero,
            RankRule = chosen.Rule,
            Rank = chosen.Rank,
            LambdaMax = chosen.LambdaMax,
            LambdaMinPositive = chosen.LambdaMinPositive,
            StepCondition = chosen.StepCondition,
            OtherRule = settings.BothRankRules ? other : null,
        };
    }

    /// <summary>l_k = (α_k / B_k) · sqrt(Tr F̃) (paper Eq. 8).</summary>
    public double StepEnergy => Status == ProbeStatus.Ok ? LearningRate / BatchSize * Math.Sqrt(Trace) : 0;
}
