using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Tests.Policies;

/// <summary>
/// The closed-loop law replayed over every decision boundary of every prebuilt map's runs (<see cref="MapReplay"/>)
/// never reverses a batch-size change at one of the next two boundaries. The earlier law (largest batch size
/// predicted within target + δ, no margin, no hysteresis) failed it: 199 reversals in 1,010 changes over the MLP map's
/// 504 paths, 2 in 48 over the ResNet-8 map's 45.
/// </summary>
public sealed class MapReplayTests
{
    [TestCase("fashion-mnist-mlp.json")]
    [TestCase("fashion-mnist-resnet8.json")]
    public void NoChangeIsReversedWithinTwoBoundaries(string file)
    {
        BeaconMap map = BeaconMapFile.Read(System.IO.Path.Combine(RepositoryRoot(), "beacon-data", file));
        List<MapReplay.Path> paths = MapReplay.Run(map, model => new ClosedLoopPolicy(model, new ClosedLoopSettings()));
        var reversals = paths.SelectMany(p => p.Reversals().Select(r => (p.Run, p.StartEpoch, r.First, r.Reversal))).ToList();
        TestContext.Out.WriteLine(
            $"{file}: {paths.Count} paths, {paths.Sum(p => p.Boundaries)} boundaries, {paths.Sum(p => p.Changes.Count)} changes, "
            + $"{paths.Count(p => p.Changes.Count > 0)} paths with changes, {paths.Count(p => p.LeftTheMap)} left the map, {reversals.Count} reversals");
        foreach (var g in paths.SelectMany(p => p.Changes).GroupBy(c => (c.From, c.To)).OrderBy(g => g.Key))
        {
            TestContext.Out.WriteLine($"  {g.Key.From}->{g.Key.To}: {g.Count()}");
        }

        foreach (var r in reversals.Take(10))
        {
            TestContext.Out.WriteLine($"  {r.Run} from epoch {r.StartEpoch}: {r.First} then {r.Reversal}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(paths.Sum(p => p.Boundaries), Is.GreaterThan(0), "the replay evaluated no boundary");
            Assert.That(paths.Sum(p => p.Changes.Count), Is.GreaterThan(0), "the law made no change at all: the replay proves nothing");
            Assert.That(reversals, Is.Empty, "changes reversed within two boundaries");
        });
    }

    [Test]
    public void AReversalIsAnOppositeChangeAtOneOfTheNextTwoBoundaries()
    {
        static MapReplay.Path P(params MapReplay.Change[] changes) => new("r", 1, changes, 10, false);
        Assert.Multiple(() =>
        {
            Assert.That(P(new(3, 32, 64), new(4, 64, 32)).Reversals().Count(), Is.EqualTo(1));
            Assert.That(P(new(3, 32, 64), new(5, 64, 32)).Reversals().Count(), Is.EqualTo(1));
            Assert.That(P(new(3, 32, 64), new(6, 64, 32)).Reversals(), Is.Empty);
            Assert.That(P(new(3, 32, 64), new(4, 64, 128)).Reversals(), Is.Empty);
            Assert.That(P(new(3, 64, 32), new(4, 32, 64), new(5, 64, 32)).Reversals().Count(), Is.EqualTo(2)); // 3-4 and 4-5; 3-5 go the same way
        });
    }

    // Doubles at even boundaries and halves at odd ones, within 32..128: a limit cycle by construction.
    private sealed class Flipping : IBatchPolicy
    {
        public string Name => "flipping";

        public BatchDecision Decide(PolicyContext context) => !context.AtEpochBoundary
            ? BatchDecision.Hold(context.BatchSize, "between boundaries")
            : new BatchDecision(Math.Clamp(context.Epoch % 2 == 0 ? context.BatchSize * 2 : context.BatchSize / 2, 32, 128), "flip", Evaluated: true);
    }

    [Test]
    public void TheReplayCatchesALimitCycle()
    {
        BeaconMap map = BeaconMapFile.Read(System.IO.Path.Combine(RepositoryRoot(), "beacon-data", "fashion-mnist-mlp.json"));
        List<MapReplay.Path> paths = MapReplay.Run(map, _ => new Flipping());
        // The best beacon's run (B = 32, α = 0.025, seed 1) from its first boundary: epoch 2 (0-based 1) halves to 32
        // (no change), epoch 3 doubles to 64, epoch 4 halves back: a reversal at the next boundary.
        MapReplay.Path best = paths.Single(p => p.Run == "b0032-lr0.025-s1" && p.StartEpoch == 1);
        Assert.Multiple(() =>
        {
            Assert.That(best.Changes[0], Is.EqualTo(new MapReplay.Change(3, 32, 64)));
            Assert.That(best.Changes[1], Is.EqualTo(new MapReplay.Change(4, 64, 32)));
            Assert.That(best.Reversals(), Is.Not.Empty);
        });
    }

    private static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = System.IO.Path.GetDirectoryName(d))
        {
            if (File.Exists(System.IO.Path.Combine(d, "AutoBatch.sln")))
            {
                return d;
            }
        }

        throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
    }
}
