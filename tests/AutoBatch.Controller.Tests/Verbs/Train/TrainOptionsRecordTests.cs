using System.CommandLine;
using System.Reflection;
using AutoBatch.Beacons.Grid;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Controller.Verbs.Train;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.Configuration;

namespace AutoBatch.Controller.Tests.Verbs.Train;

/// <summary>
/// <see cref="TrainOptions"/> is the single declaration of the <c>train</c> verb's options, as
/// <see cref="Run.RunOptionsRecordTests"/> checks for <c>run</c>: each property once on the command line, in the
/// configuration keys and in a grid child's arguments, and back equal through the verb's parser.
/// </summary>
[TestFixture]
public sealed class TrainOptionsRecordTests : OptionsRecordTests<TrainOptions>
{
    /// <summary>Every property set, each to a value other than its default.</summary>
    protected override TrainOptions Sample() => new()
    {
        Model = "mlp:8", Data = DataSetKind.Mnist, DataPath = "/data/mnist", BatchSize = 32, LearningRate = 0.0123456789, Epochs = 3, Seed = 42,
        Threads = 3, Device = "cuda:1", Output = "out/train", ProbeInterval = 7, ProbeBackground = true, RankRule = RankRule.Reference, BothRankRules = true, NoAugmentation = true, TrainSubset = 100, Resume = true,
        CheckpointEvery = 5, ExitWithParent = 1234,
    };

    /// <inheritdoc/>
    protected override string Section => TrainOptions.SectionName;

    /// <inheritdoc/>
    protected override Command Verb() => TrainVerb.Create();

    /// <inheritdoc/>
    protected override Dictionary<string, string?> Bind(ParseResult parsed) => TrainVerb.Overrides(parsed);

    [Test]
    public void AGridsChildTrainsTheRunItIsGiven()
    {
        var grid = new GridSpec
        {
            Model = "mlp:8", Data = DataSetKind.Mnist, BatchSizes = [16], LearningRates = [0.1], Seeds = [3], Epochs = 2, ProbeInterval = 5, TrainSubset = 64,
        };
        TrainOptions child = ParseWithTheVerb(OptionRecord.Arguments(BeaconsService.ChildRun(grid, grid.Runs()[0], "work/b16", "/data", 2, "cuda")), out _);
        Assert.Multiple(() =>
        {
            Assert.That((child.Model, child.Data, child.DataPath, child.Epochs, child.ProbeInterval, child.TrainSubset), Is.EqualTo(("mlp:8", DataSetKind.Mnist, "/data", 2, 5, (int?)64)));
            Assert.That((child.BatchSize, child.LearningRate, child.Seed, child.Threads, child.Device, child.Output), Is.EqualTo((16, 0.1, 3L, 2, "cuda", "work/b16")));
            Assert.That((child.Resume, child.ExitWithParent), Is.EqualTo((true, (int?)Environment.ProcessId)), "continues its checkpoint, ends with the grid");
        });
    }

    [TestCase("--model", "Model: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G (default mlp)")]
    [TestCase("--batch-size", "Mini-batch size (default 128)")]
    [TestCase("--lr", "Initial learning rate, decayed x0.1 at 50% and 75% of the epochs (default 0.05)")]
    [TestCase("--epochs", "Epochs (default 10)")]
    [TestCase("--seed", "Seed of weights, data order and augmentation (default 1)")]
    [TestCase("--output", "Output folder for epochs.jsonl and epochs.csv (default runs/train)")]
    [TestCase("--data", "Data set: FashionMnist (default), Mnist, Cifar10, Cifar100, Svhn")]
    [TestCase("--no-augmentation", "Train without the paper's augmentation")]
    public void TheHelpShowsTheDefaultOfTheRecord(string flag, string help) =>
        Assert.That(TrainVerb.Create().Options.Single(o => o.Name == flag).Description, Is.EqualTo(help));
}
