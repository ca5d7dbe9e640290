using System.Globalization;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Bench;

/// <summary>
/// Command line of the bench: <c>VERB --key value ... [--flag]</c>. The same names are accepted by
/// <c>bench/peer_torch.py</c>, so that the driver can run either side with one argument list.
/// </summary>
internal sealed class BenchArguments
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "probe", "background" };

    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private BenchArguments(string verb, Dictionary<string, string> values, HashSet<string> flags)
    {
        Verb = verb;
        _values = values;
        _flags = flags;
    }

    /// <summary>step, probe or overhead.</summary>
    public string Verb { get; }

    /// <summary>Model name accepted by <c>ModelSpec.Parse</c> (default mlp).</summary>
    public string Model => Text("model", "mlp");

    /// <summary>Mini-batch size B (default 128).</summary>
    public int Batch => Int("batch", 128, min: 1);

    /// <summary>Intra-op threads (default 1; OpenBLAS always 1).</summary>
    public int Threads => Int("threads", 1, min: 1);

    /// <summary>Minimum number of timed steps (default 20).</summary>
    public int Steps => Int("steps", 20, min: 1);

    /// <summary>Untimed warm-up steps (default 5).</summary>
    public int Warmup => Int("warmup", 5, min: 0);

    /// <summary>Keep timing until at least this many seconds have passed (default 2).</summary>
    public double MinSeconds => Double("min-seconds", 2.0, min: 0);

    /// <summary>Repetitions of the standalone probe (default 5).</summary>
    public int Reps => Int("reps", 5, min: 1);

    /// <summary>Repetitions of the native per-sample loop (default 2; 0 skips it).</summary>
    public int LoopReps => Int("loop-reps", 2, min: 0);

    /// <summary>Measurement interval of the overhead run (default 50).</summary>
    public int Interval => Int("interval", 50, min: 1);

    /// <summary>Plain/probed block pairs of the overhead run (default 4).</summary>
    public int Pairs => Int("pairs", 4, min: 1);

    /// <summary>Intervals per block of the overhead run (default 1).</summary>
    public int BlockIntervals => Int("block-intervals", 1, min: 1);

    /// <summary>
    /// Steps per block of the overhead run (default interval x block intervals). An epoch's step count makes a block
    /// an epoch: probes at the steps n with n mod interval = 1, as the trainer places them.
    /// </summary>
    public int BlockSteps => Int("block-steps", Interval * BlockIntervals, min: 1);

    /// <summary>Learning rate (default 0.05).</summary>
    public double LearningRate => Double("lr", 0.05, min: 1e-12);

    /// <summary>Seed of the weights and the synthetic data (default 1).</summary>
    public int Seed => Int("seed", 1, min: 0);

    /// <summary>Per-layer Gram path of the probe: auto (default), ghost or materialise.</summary>
    public GramMode GramMode => Text("gram-mode", "auto") switch
    {
        "auto" => GramMode.Auto,
        "ghost" => GramMode.Ghost,
        "materialise" => GramMode.Materialise,
        string other => throw new ArgumentException($"--gram-mode must be auto, ghost or materialise, got '{other}'."),
    };

    /// <summary>Per-sample gradient kernel of materialised conv layers: auto (default), unfold or grouped.</summary>
    public ConvKernel ConvKernel => Text("conv-kernel", "auto") switch
    {
        "auto" => ConvKernel.Auto,
        "unfold" => ConvKernel.Unfold,
        "grouped" => ConvKernel.Grouped,
        "direct" => ConvKernel.Direct,
        string other => throw new ArgumentException($"--conv-kernel must be auto, unfold, grouped or direct, got '{other}'."),
    };

    /// <summary>Kernel of the float64 Gram products: auto (default), blas or avx512.</summary>
    public GramKernel GramKernel => Text("gram-kernel", "auto") switch
    {
        "auto" => GramKernel.Auto,
        "blas" => GramKernel.Blas,
        "avx512" => GramKernel.Avx512,
        string other => throw new ArgumentException($"--gram-kernel must be auto, blas or avx512, got '{other}'."),
    };

    /// <summary>The probe settings the options describe.</summary>
    public ProbeSettings ProbeSettings =>
        new() { Mode = GramMode, ConvKernel = ConvKernel, GramKernel = GramKernel, Interval = Interval, Background = Background };

    /// <summary>The probe runs on the network's probe thread (step and overhead verbs; collected inside the timing).</summary>
    public bool Background => _flags.Contains("background");

    /// <summary>Probe every timed step (step verb).</summary>
    public bool Probe => _flags.Contains("probe");

    public static BenchArguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("Expected a verb first: step, probe or overhead.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}': options look like --name value.");
            }

            string name = args[i][2..];
            if (Flags.Contains(name))
            {
                flags.Add(name);
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option --{name} needs a value.");
            }
        }

        return new BenchArguments(args[0], values, flags);
    }

    private string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    private int Int(string name, int fallback, int min)
    {
        if (!_values.TryGetValue(name, out string? text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
        {
            throw new ArgumentException($"--{name} must be an integer >= {min}, got '{text}'.");
        }

        return value;
    }

    private double Double(string name, double fallback, double min)
    {
        if (!_values.TryGetValue(name, out string? text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= min))
        {
            throw new ArgumentException($"--{name} must be a number >= {min}, got '{text}'.");
        }

        return value;
    }
}
