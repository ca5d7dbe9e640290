using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// The rank rule end to end through the processes: a grid under both rules, a map merged under the other one, a run
/// that follows the map's rule, and the refusals that name the option.
/// </summary>
public sealed class RankRuleProcessTests
{
    private static async Task<(string Data, string Grid)> GridAsync(bool both)
    {
        string data = TinyIdx.Write(train: 40, test: 10);
        string grid = Path.Combine(data, "grid");
        string[] args =
        [
            "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:8", "--batch-sizes", "8,16", "--learning-rates", "0.05", "--seeds", "1",
            "--epochs", "2", "--probe-interval", "1", "--parallel", "1", "--output", grid, "--map", Path.Combine(data, "map.json"),
        ];
        (int code, string log) = await GridProcess.RunAsync(both ? [.. args, "--both-rank-rules"] : args);
        Assert.That(code, Is.EqualTo(0), log);
        return (data, grid);
    }

    [Test]
    public async Task AMapMergedUnderTheReferenceRuleSteersARunUnderItAndRefusesTheOther()
    {
        (string data, string grid) = await GridAsync(both: true);
        string tolerancePath = Path.Combine(data, "map.json"), referencePath = Path.Combine(data, "reference.json");
        (int mergeCode, string mergeLog) = await GridProcess.RunAsync("merge", "--grids", grid, "--output", referencePath, "--rank-rule", "Reference");
        Assert.That(mergeCode, Is.EqualTo(0), mergeLog);
        BeaconMap tolerance = BeaconMapFile.Read(tolerancePath), reference = BeaconMapFile.Read(referencePath);

        string output = Path.Combine(data, "run");
        (int runCode, string runLog) = await GridProcess.RunAsync(
            "run", "--map", referencePath, "--schedule", "best", "--data-path", data, "--output", output, "--probe-interval", "1", "--both-rank-rules");
        (int refusedCode, string refusedLog) = await GridProcess.RunAsync(
            "run", "--map", referencePath, "--schedule", "best", "--data-path", data, "--output", Path.Combine(data, "refused"), "--rank-rule", "Tolerance");
        IReadOnlyList<EpochRecord> records = EpochLog.Read(Path.Combine(output, "epochs.jsonl"));
        Assert.Multiple(() =>
        {
            Assert.That(tolerance.Grid.RankRule, Is.EqualTo(RankRule.Tolerance));
            Assert.That(reference.Grid.RankRule, Is.EqualTo(RankRule.Reference));
            for (int i = 0; i < tolerance.Runs.Count; i++)
            {
                // grid.json kept both; each map holds its own rule's C̄_K, and the runs are the same runs.
                EpochRecord t = tolerance.Runs[i].Epochs[^1], r = reference.Runs[i].Epochs[^1];
                Assert.That(r.TestError, Is.EqualTo(t.TestError));
                Assert.That(r.CumulativeEnergy, Is.EqualTo(t.CumulativeEnergy));
                Assert.That(r.CumulativeCondition, Is.GreaterThan(0));
            }

            Assert.That(runCode, Is.EqualTo(0), runLog);
            Assert.That(records.Select(e => e.RankRule), Is.All.EqualTo(RankRule.Reference), "the run follows the map's rule");
            Assert.That(records.Select(e => e.OtherRule?.Rule), Is.All.EqualTo(RankRule.Tolerance));
            Assert.That(refusedCode, Is.EqualTo(2), refusedLog);
            Assert.That(refusedLog, Does.Contain("--rank-rule").And.Contain("Reference"));
            Assert.That(Directory.Exists(Path.Combine(data, "refused")), Is.False, "a refused run writes nothing");
        });
    }

    [Test]
    public async Task AGridUnderOneRuleCannotBeMergedUnderTheOther()
    {
        (string data, string grid) = await GridAsync(both: false);
        (int code, string log) = await GridProcess.RunAsync("merge", "--grids", grid, "--output", Path.Combine(data, "reference.json"), "--rank-rule", "Reference");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("--rank-rule").And.Contain("--both-rank-rules"));
            Assert.That(File.Exists(Path.Combine(data, "reference.json")), Is.False);
        });
    }
}
