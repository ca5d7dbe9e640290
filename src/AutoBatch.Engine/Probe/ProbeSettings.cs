namespace AutoBatch.Engine.Probe;

/// <summary>Settings of the Fisher probe.</summary>
public sealed record ProbeSettings
{
    /// <summary>Per-layer Gram path (default <see cref="GramMode.Auto"/>).</summary>
    public GramMode Mode { get; init; } = GramMode.Auto;

    /// <summary>Per-sample gradient kernel of materialised conv layers (default <see cref="ConvKernel.Auto"/>).</summary>
    public ConvKernel ConvKernel { get; init; } = ConvKernel.Auto;

    /// <summary>Kernel of the float64 Gram products (default <see cref="GramKernel.Auto"/>).</summary>
    public GramKernel GramKernel { get; init; } = GramKernel.Auto;

    /// <summary>Memory cap in bytes for per-sample gradient chunks and ghost blocks (default 256 MiB).</summary>
    public long MemoryCapBytes { get; init; } = 256L << 20;

    /// <summary>
    /// Rank tolerance relative to σ_max; null selects B·ε_float32 (<see cref="DefaultRankTolerance"/>), the 'tolerance'
    /// rule of docs/DESIGN.md. It is not numpy's matrix_rank convention for a float32 J: numpy's default scales with
    /// the larger dimension of J (P x B), which is P here, not B (docs/BEACONS.md discusses what that changes).
    /// </summary>
    public double? RankTolerance { get; init; }

    /// <summary>Which eigenvalues count in the rank, and so c_k (default <see cref="RankRule.Tolerance"/>).</summary>
    public RankRule RankRule { get; init; } = RankRule.Tolerance;

    /// <summary>
    /// Apply both rank rules to every F̃ (default false): the reading keeps the other rule's measure
    /// (<see cref="ProbeReading.OtherRule"/>), so one run gives its measures both ways. The reference rule costs a float32
    /// eigendecomposition of the B x B F̃ per probe.
    /// </summary>
    public bool BothRankRules { get; init; }

    /// <summary>Whether a probe under these settings applies the reference rule (as its rule, or as the other one).</summary>
    public bool AppliesReferenceRule => RankRule == RankRule.Reference || BothRankRules;

    /// <summary>
    /// B x B float64 matrices a probe of a batch of B may hold at once: F̃'s sum, a layer's Gram, the ghost path's two
    /// factor Grams, and the spectrum's working copy.
    /// </summary>
    public const int GramMatricesAtOnce = 5;

    /// <summary>
    /// Refuses a batch whose probe could not fit in this machine's memory (<see cref="GramMatricesAtOnce"/> B x B
    /// float64 matrices against the memory .NET sees, a container's limit included), before any of it is allocated:
    /// the native allocation would otherwise fail mid-probe. <paramref name="option"/> names the setting in the message.
    /// </summary>
    /// <exception cref="ArgumentException">The probe's matrices would need more memory than the machine has.</exception>
    public static void CheckMemory(int batchSize, string option)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        double needed = GramMatricesAtOnce * 8.0 * batchSize * batchSize;
        if (available > 0 && needed > available)
        {
            long largest = (long)Math.Sqrt(available / (GramMatricesAtOnce * 8.0));
            throw new UserInputException(option, string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"a probe of a batch of {batchSize} needs about {needed / (1L << 30):F1} GiB for its {batchSize} x {batchSize} float64 matrices, more than this machine's {available / (double)(1L << 30):F1} GiB; at most {largest} fits."));
        }
    }

    /// <summary>The default rank tolerance for a batch of <paramref name="batchSize"/>: B · ε_float32 = B · 2⁻²³, as the native probe computes it.</summary>
    public static double DefaultRankTolerance(int batchSize) => batchSize * Math.ScaleB(1.0, -23);

    /// <summary>Probe at iteration n of each epoch when (n − 1) mod Interval = 0, i.e. n mod Interval = 1 (default 50).</summary>
    public int Interval { get; init; } = 50;

    /// <summary>
    /// Build and analyse F̃ on the network's probe thread while training goes on (default false). The reading then
    /// arrives later (<see cref="Training.Network.CollectProbe"/>; the trainer collects it before the next probe, at
    /// the end of the epoch and before a checkpoint) but is the same, bit for bit. Worth it when libtorch runs on
    /// fewer threads than there are cores: the probe then takes no time from the training step.
    /// </summary>
    public bool Background { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(ConvKernel))
        {
            throw new ArgumentOutOfRangeException(nameof(ConvKernel), ConvKernel, "The conv kernel must be Auto, Unfold, Grouped or Direct.");
        }

        if (!Enum.IsDefined(GramKernel))
        {
            throw new ArgumentOutOfRangeException(nameof(GramKernel), GramKernel, "The Gram kernel must be Auto, Blas or Avx512.");
        }

        if (!Enum.IsDefined(RankRule))
        {
            throw new ArgumentOutOfRangeException(nameof(RankRule), RankRule, "The rank rule must be Tolerance or Reference.");
        }

        if (MemoryCapBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryCapBytes), MemoryCapBytes, "The probe memory cap must be at least 1024 bytes.");
        }

        if (RankTolerance is { } t && !(t > 0 && t < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RankTolerance), t, "The rank tolerance must be in (0, 1).");
        }

        if (Interval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The measurement interval must be >= 1.");
        }
    }

    /// <summary>Whether iteration <paramref name="iterationInEpoch"/> (1-based) is measured.</summary>
    public bool IsMeasured(int iterationInEpoch) => (iterationInEpoch - 1) % Interval == 0;
}
