using AutoBatch.Beacons.Grid;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Tests.Grid;

public sealed class ShardTests
{
    [Test]
    public void ShardsPartitionTheGrid()
    {
        var grid = new GridSpec { Model = "mlp", Data = Engine.Data.DataSetKind.Mnist, BatchSizes = [8, 16, 32, 64], LearningRates = [0.1, 0.2, 0.4], Seeds = [1, 2], Epochs = 1, ProbeInterval = 1 };
        int runs = grid.Runs().Count;
        var shards = Enumerable.Range(0, 5).Select(i => new Shard(i, 5)).ToArray();
        var covered = Enumerable.Range(0, runs).Select(r => shards.Count(s => s.Contains(r))).ToArray();
        Assert.That(covered, Is.All.EqualTo(1));
    }

    // How the beacons verb names the settings.
    private static readonly Func<string, string> Flags = AutoBatch.Controller.Hosting.OptionRecord.Vocabulary(typeof(AutoBatch.Controller.Verbs.Beacons.BeaconsOptions));

    [TestCase("0/1", 0, 1)]
    [TestCase("3/4", 3, 4)]
    public void ParsesIndexOverCount(string text, int index, int count) =>
        Assert.That(Shard.Parse(text), Is.EqualTo(new Shard(index, count)));

    [TestCase("4/4")]
    [TestCase("-1/4")]
    [TestCase("1")]
    [TestCase("a/b")]
    [TestCase("1/0")]
    public void RejectsBadShardsNamingTheInputAsTheCallerNamesIt(string text) =>
        Assert.Multiple(() =>
        {
            Assert.That(() => Shard.Parse(text, "--shard"), Throws.InstanceOf<UserInputException>().With.Message.StartsWith("--shard: expected i/n"));
            Assert.That(() => Shard.Parse(text), Throws.InstanceOf<UserInputException>().With.Message.StartsWith("Shard: expected i/n"));
        });

    [Test]
    public void ReadsSlurmAndKubernetesIndices()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Shard.FromEnvironment(8, n => n == "SLURM_ARRAY_TASK_ID" ? "5" : null), Is.EqualTo(new Shard(5, 8)));
            Assert.That(Shard.FromEnvironment(8, n => n == "JOB_COMPLETION_INDEX" ? "2" : null), Is.EqualTo(new Shard(2, 8)));
            Assert.That(
                () => Shard.FromEnvironment(8, _ => null, Flags),
                Throws.InstanceOf<UserInputException>().With.Message.EqualTo("--shard-count: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; give --shard i/n instead."));
            Assert.That(
                () => Shard.FromEnvironment(2, n => n == "SLURM_ARRAY_TASK_ID" ? "5" : null, Flags),
                Throws.InstanceOf<UserInputException>().With.Message.StartsWith("--shard-count 2: SLURM_ARRAY_TASK_ID=5 is not a shard index in 0..1"));
            Assert.That(
                () => Shard.FromEnvironment(2, n => n == "SLURM_ARRAY_TASK_ID" ? "5" : null),
                Throws.InstanceOf<UserInputException>().With.Message.StartsWith("ShardCount 2: SLURM_ARRAY_TASK_ID=5"));
        });
    }
}
