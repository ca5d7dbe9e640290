using System.CommandLine;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Tests.Verbs.Beacons;

/// <summary><see cref="BeaconsOptions"/> is the single declaration of the <c>beacons</c> verb's options.</summary>
[TestFixture]
public sealed class BeaconsOptionsRecordTests : OptionsRecordTests<BeaconsOptions>
{
    protected override string Section => BeaconsOptions.SectionName;

    protected override BeaconsOptions Sample() => new()
    {
        Model = "mlp:8", Data = DataSetKind.Mnist, DataPath = "/data/mnist", BatchSizes = "8,16", LearningRates = "0.1,0.2", Seeds = "3,4", Epochs = 2,
        ProbeInterval = 7, RankRule = RankRule.Reference, BothRankRules = true, TrainSubset = 100, ThreadsPerRun = 2, Device = "cuda:1", Parallel = 3, Output = "out/grid", Shard = "1/4", ShardCount = 4, Map = "out/map.json",
    };

    protected override Command Verb() => BeaconsVerb.Create();

    protected override Dictionary<string, string?> Bind(ParseResult parsed) => BeaconsVerb.Overrides(parsed);

    [TestCase("--model", "Model (default mlp)")]
    [TestCase("--data-path", "Folder with the data files")]
    [TestCase("--batch-sizes", "Comma-separated batch sizes (default 8,16,32,64,128,256,512)")]
    [TestCase("--epochs", "Epochs per run (default 15)")]
    [TestCase("--output", "Grid folder (default runs/beacons); rerun with the same options to resume")]
    [TestCase("--map", "Map file to write when the grid is complete (default <output>/map.json)")]
    public void TheHelpIsTheRecords(string flag, string help) => Assert.That(HelpOf(flag), Is.EqualTo(help));
}
