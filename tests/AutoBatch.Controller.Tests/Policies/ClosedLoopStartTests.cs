using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Verbs.Run;

namespace AutoBatch.Controller.Tests.Policies;

/// <summary>Where the closed loop starts on the prebuilt maps, against their best-beacon tables read independently.</summary>
public sealed class ClosedLoopStartTests
{
    private static string MapPath(string file)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "AutoBatch.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
        }

        return Path.Combine(root, "beacon-data", file);
    }

    // The MLP map's best beacons (python over the map file): s32-lr0.025 9.755%, s128-lr0.05 9.760%, s64-lr0.025 9.825%,
    // s256-lr0.1 9.920%, s64-lr0.05 10.005%, two seeds each, none diverged.
    [TestCase(16, 512, "s128-lr0.05")]
    [TestCase(16, 64, "s64-lr0.025")]
    [TestCase(16, 32, "s32-lr0.025")]
    [TestCase(256, 512, null)]
    public void OnTheMlpMapTheLargestBatchInsideTheTargetWithinTheBounds(int min, int max, string? expected)
    {
        var model = new MapModel(BeaconMapFile.Read(MapPath("fashion-mnist-mlp.json")));
        var policy = new ClosedLoopPolicy(model, new ClosedLoopSettings { Guards = new PolicyGuards { MinBatchSize = min, MaxBatchSize = max } });
        // δ from the map's seed noise puts 9.760% inside the target and 9.920% outside it: the case this test is about.
        Assert.That(model.BestError + policy.Tolerance, Is.InRange(0.0976, 0.0992));
        var start = policy.Start();
        Assert.Multiple(() =>
        {
            Assert.That(start?.Start.Label, Is.EqualTo(expected));
            if (start is { } s)
            {
                Assert.That(s.Reason, Does.Contain(expected).And.Contain("inside the target"));
            }
        });
    }

    [Test]
    public void OnTheResNetMapWhereOnlySmallerBatchesAreInsideTheTargetItIsTheBestBeacon()
    {
        // Best s64-lr0.2 (7.62%); T = 7.78% also holds s32-lr0.1 and s16-lr0.025, both smaller batches.
        var model = new MapModel(BeaconMapFile.Read(MapPath("fashion-mnist-resnet8.json")));
        var policy = new ClosedLoopPolicy(model, new ClosedLoopSettings { Guards = new PolicyGuards() });
        Assert.That(policy.Start()?.Start.Label, Is.EqualTo(model.Map.Derived.BestBeacons[0].Label));
    }

    [Test]
    public void ARunIsResolvedToTheStartUnlessToldWhereToStart()
    {
        string map = MapPath("fashion-mnist-mlp.json");
        RunSettings chosen = RunService.Resolve(new RunOptions { Map = map }).Settings;
        RunSettings told = RunService.Resolve(new RunOptions { Map = map, BatchSize = 32 }).Settings;
        RunSettings best = RunService.Resolve(new RunOptions { Map = map, Schedule = "best" }).Settings;
        Assert.Multiple(() =>
        {
            Assert.That((chosen.BatchSize, chosen.LearningRate), Is.EqualTo((128, 0.05)));
            Assert.That(chosen.StartReason, Does.Contain("s128-lr0.05"));
            Assert.That((told.BatchSize, told.LearningRate, told.StartReason), Is.EqualTo((32, 0.025, (string?)null)));
            Assert.That((best.BatchSize, best.LearningRate, best.StartReason), Is.EqualTo((32, 0.025, (string?)null)));
        });
    }
}
