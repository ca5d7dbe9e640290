using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>Options of the <c>measure</c> verb (section <c>Measure</c>; command-line flags override).</summary>
/// <remarks>
/// The single declaration of the verb's options, as for every verb (docs/DESIGN.md, 'Adding an option'): flags, help, ranges
/// and defaults are read from here for the command line and its configuration keys.
/// </remarks>
public sealed class MeasureOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Measure";

    /// <summary>Batch size drawn when neither <see cref="Indices"/> nor <see cref="BatchSize"/> is given.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>Model name (see ModelSpec.Parse); default <c>mlp</c> (784-500-500-10). Must match the weights.</summary>
    [Flag("--model", "Model of the weights: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G (default mlp)", Alias = "-m")]
    [Required]
    public string Model { get; set; } = "mlp";

    /// <summary>Data set kind; default Fashion-MNIST.</summary>
    [Flag("--data", "Data set: FashionMnist (default), Mnist, Cifar10, Cifar100, Svhn")]
    public DataSetKind Data { get; set; } = DataSetKind.FashionMnist;

    /// <summary>Folder with the data files; default the Debian dataset-fashion-mnist folder for Fashion-MNIST.</summary>
    [Flag("--data-path", "Folder with the data files (default /usr/share/datasets/fashion-mnist)")]
    public string? DataPath { get; set; }

    /// <summary>Safetensors weights file (see docs/WEIGHTS.md); default none: the initial weights drawn from <see cref="Seed"/>.</summary>
    [Flag("--weights", "Safetensors weights file (default: the initial weights drawn from --seed)", Alias = "-w")]
    public string? Weights { get; set; }

    /// <summary>The batch as comma-separated training-set indices (0-based, distinct), e.g. <c>1,5,9</c>; default none.</summary>
    [Flag("--indices", "The batch as distinct training-set indices, e.g. 1,5,9 (default: drawn with --seed and --batch-size)")]
    public string? Indices { get; set; }

    /// <summary>
    /// Without <see cref="Indices"/>: draw this many distinct training indices from <see cref="Seed"/> (default 128).
    /// With them it may be omitted; if given it must equal their count.
    /// </summary>
    [Flag("--batch-size", "Size of the batch drawn from --seed when --indices is not given (default 128)", Alias = "-b")]
    [FlagRange(1, 1 << 20)]
    public int? BatchSize { get; set; }

    /// <summary>Seed of the drawn batch, of the augmentation and, without <see cref="Weights"/>, of the initial weights (default 1).</summary>
    [Flag("--seed", "Seed of the drawn batch, the augmentation and, without --weights, the weights (default 1)")]
    public long Seed { get; set; } = 1;

    /// <summary>Learning rate α in l = (α / B) · sqrt(Tr F̃) (default 0.05).</summary>
    [Flag("--lr", "Learning rate α in l = (α/B)·sqrt(Tr F̃) (default 0.05)")]
    [FlagRange(1e-12, 1e6, Rule = "the learning rate must be in")]
    public double LearningRate { get; set; } = 0.05;

    /// <summary>BatchNorm statistics during the measurement (default <see cref="BatchNormMode.Train"/>).</summary>
    [Flag("--bn-mode", "BatchNorm statistics: train (batch, default) or eval (running)")]
    public BatchNormMode BnMode { get; set; } = BatchNormMode.Train;

    /// <summary>Per-layer Gram path (default <see cref="Engine.Probe.GramMode.Auto"/>).</summary>
    [Flag("--gram-mode", "Gram path per layer: auto (default), ghost or materialise")]
    public GramMode GramMode { get; set; } = GramMode.Auto;

    /// <summary>Rank tolerance relative to σ_max, in (0, 1); default none: B · ε_float32 (docs/DESIGN.md).</summary>
    [Flag("--rank-tolerance", "Rank tolerance relative to σ_max, in (0, 1) (default B·ε_float32)")]
    public double? RankTolerance { get; set; }

    /// <summary>The rank rule of the reported rank and c (default tolerance); the other rule's are reported beside them.</summary>
    [Flag("--rank-rule", "Rank rule of the reported rank and c: Tolerance (default) or Reference; the other rule's are reported too")]
    public RankRule RankRule { get; set; } = RankRule.Tolerance;

    /// <summary>libtorch intra-op threads (default 1, see EngineRuntime.DefaultThreads). OpenBLAS always gets 1.</summary>
    [Flag("--threads", "libtorch threads (default 1; OpenBLAS always uses 1)")]
    [FlagRange(1, 1024)]
    public int Threads { get; set; } = AutoBatch.Engine.Runtime.EngineRuntime.DefaultThreads;

    /// <summary>Where the tensors live: <c>cpu</c> (default) or <c>cuda</c> / <c>cuda:N</c> (docs/TORCHSHARP.md, 'Devices').</summary>
    [Flag("--device", "Device: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch)")]
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Apply the data set's training augmentation to the batch, drawn from <see cref="Seed"/> (default off: plain normalised images).</summary>
    [Flag("--augment", "Apply the data set's training augmentation (default: plain normalised images)")]
    public bool Augment { get; set; }

    /// <summary>Also print F̃ itself, B rows of B float64 entries (default off: the spectrum and the measures only).</summary>
    [Flag("--gram", "Also print F̃ itself (B rows of B entries), e.g. for tools/check_measure.py")]
    public bool IncludeGram { get; set; }
}
