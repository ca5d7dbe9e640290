using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs.Train;

/// <summary>Options of the <c>train</c> verb (section <c>Train</c>; command-line flags override).</summary>
/// <remarks>
/// The single declaration of the verb's options, as for every verb (docs/DESIGN.md, 'Adding an option'): flags, help, ranges
/// and defaults are read from here for the command line, its configuration keys and a grid child's arguments.
/// </remarks>
public sealed class TrainOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Train";

    /// <summary>Model name (see ModelSpec.Parse); default <c>mlp</c> (784-500-500-10).</summary>
    [Flag("--model", "Model: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G", Alias = "-m")]
    [Required]
    public string Model { get; set; } = "mlp";

    /// <summary>Data set kind; default Fashion-MNIST.</summary>
    [Flag("--data", "Data set: FashionMnist (default), Mnist, Cifar10, Cifar100, Svhn")]
    public DataSetKind Data { get; set; } = DataSetKind.FashionMnist;

    /// <summary>Folder with the data files; default the Debian dataset-fashion-mnist folder for Fashion-MNIST.</summary>
    [Flag("--data-path", "Folder with the data files (default /usr/share/datasets/fashion-mnist)")]
    public string? DataPath { get; set; }

    /// <summary>Mini-batch size (default 128).</summary>
    [Flag("--batch-size", "Mini-batch size", Alias = "-b")]
    [FlagRange(1, 1 << 20)]
    public int BatchSize { get; set; } = 128;

    /// <summary>Initial learning rate α (default 0.05); decayed x0.1 at 50% and 75% of the epochs.</summary>
    [Flag("--lr", "Initial learning rate, decayed x0.1 at 50% and 75% of the epochs")]
    [FlagRange(1e-12, 1e6)]
    public double LearningRate { get; set; } = 0.05;

    /// <summary>Epochs (default 10).</summary>
    [Flag("--epochs", "Epochs", Alias = "-e")]
    [FlagRange(1, 100000)]
    public int Epochs { get; set; } = 10;

    /// <summary>Seed of the weights, data order and augmentation (default 1).</summary>
    [Flag("--seed", "Seed of weights, data order and augmentation")]
    public long Seed { get; set; } = 1;

    /// <summary>libtorch intra-op threads (default 1, see EngineRuntime.DefaultThreads). OpenBLAS always gets 1.</summary>
    [Flag("--threads", "libtorch threads (default 1; OpenBLAS always uses 1)")]
    [FlagRange(1, 1024)]
    public int Threads { get; set; } = AutoBatch.Engine.Runtime.EngineRuntime.DefaultThreads;

    /// <summary>
    /// Where the tensors live: <c>cpu</c> (default), or <c>cuda</c> / <c>cuda:N</c> on the TorchSharp engine when
    /// <c>torch.cuda.is_available()</c> (docs/TORCHSHARP.md, 'Devices'); refused otherwise, naming the flag.
    /// </summary>
    [Flag("--device", "Device: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch)")]
    public string Device { get; set; } = AutoBatch.Engine.Runtime.EngineDevices.Cpu;

    /// <summary>Output folder for epochs.jsonl / epochs.csv (default runs/train).</summary>
    [Flag("--output", "Output folder for epochs.jsonl and epochs.csv", Alias = "-o")]
    [Required]
    public string Output { get; set; } = "runs/train";

    /// <summary>Fisher probe interval in iterations (default 50; 0 disables the probe).</summary>
    [Flag("--probe-interval", "Measure F̃ every N iterations (default 50; 0 = off)")]
    [FlagRange(0, 1000000)]
    public int ProbeInterval { get; set; } = 50;

    /// <summary>Which eigenvalues of F̃ count in c_k (default tolerance; docs/DESIGN.md, 'The spectrum and the rank rule').</summary>
    [Flag("--rank-rule", "Which eigenvalues of F̃ count in c_k: Tolerance (default) or Reference")]
    public RankRule RankRule { get; set; } = RankRule.Tolerance;

    /// <summary>Apply both rank rules at every probe and record the other rule's measures too (default false).</summary>
    [Flag("--both-rank-rules", "Apply both rank rules at every probe and record the other rule's measures too")]
    public bool BothRankRules { get; set; }

    /// <summary>
    /// Build and analyse F̃ on a second thread while training goes on (same readings, bit for bit). Default (null):
    /// on when <see cref="Threads"/> is below the machine's core count, where that thread has a core to itself.
    /// </summary>
    [Flag("--probe-background", "Measure F̃ on a second thread while training goes on (default: true unless --threads exceeds the core count)")]
    public bool? ProbeBackground { get; set; }

    /// <summary>
    /// Disable augmentation. Default: the paper's (He et al.) augmentation for convolutional models; none for an MLP,
    /// which has no translation invariance to gain from random crops (measured: 13.95% vs 10.00% test error after
    /// 10 epochs on Fashion-MNIST at B=128, α=0.05).
    /// </summary>
    [Flag("--no-augmentation", "Train without the paper's augmentation")]
    public bool NoAugmentation { get; set; }

    /// <summary>Train on a fixed random subset of this many training images (default: all).</summary>
    [Flag("--train-subset", "Train on a fixed random subset of this many images (default: all)")]
    [FlagRange(1, int.MaxValue)]
    public int? TrainSubset { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="Output"/> when there is one (default false: start afresh).</summary>
    [Flag("--resume", "Continue from the checkpoint in the output folder, if there is one")]
    public bool Resume { get; set; }

    /// <summary>Write a checkpoint every this many epochs (default 1; 0 = only when stopped gracefully).</summary>
    [Flag("--checkpoint-every", "Write a checkpoint every N epochs (default 1; 0 = only on Ctrl-C)")]
    [FlagRange(0, 100000)]
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>Exit (as if cancelled) when the process with this id ends; used by grid runners for their children.</summary>
    [Flag("--exit-with-parent", "Stop when the process with this id ends (used by grid runners)", Hidden = true)]
    public int? ExitWithParent { get; set; }
}
