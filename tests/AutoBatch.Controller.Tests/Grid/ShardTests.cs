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

    [TestCase("0/1", 0, 1)]
    [TestCase("3/4", 3, 4)]
    public void ParsesIndexOverCount(string text, int index, int count) =>
        Assert.That(Shard.Parse(text), Is.EqualTo(new Shard(index, count)));

    [TestCase("4/4")]
    [TestCase("-1/4")]
    [TestCase("1")]
    [TestCase("a/b")]
    [TestCase("1/0")]
    public void RejectsBadShardsNamingTheOption(string text) =>
        Assert.That(() => Shard.Parse(text), Throws.InstanceOf<UserInputException>().With.Message.Contains("--shard"));

    [Test]
    public void ReadsSlurmAndKubernetesIndices()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Shard.FromEnvironment(8, n => n == "SLURM_ARRAY_TASK_ID" ? "5" : null), Is.EqualTo(new Shard(5, 8)));
            Assert.That(Shard.FromEnvironment(8, n => n == "JOB_COMPLETION_INDEX" ? "2" : null), Is.EqualTo(new Shard(2, 8)));
            Assert.That(() => Shard.FromEnvironment(8, _ => null), Throws.InstanceOf<UserInputException>());
            Assert.That(
                () => Shard.FromEnvironment(2, n => n == "SLURM_ARRAY_TASK_ID" ? "5" : null),
                Throws.InstanceOf<UserInputException>().With.Message.StartsWith("--shard-count 2: SLURM_ARRAY_TASK_ID=5 is not a shard index in 0..1"));
        });
    }
}
