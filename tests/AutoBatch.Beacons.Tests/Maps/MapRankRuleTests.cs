using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>A grid run under both rank rules gives a map under either, and a map under one rule refuses a run under the other.</summary>
public sealed class MapRankRuleTests
{
    // Every run's other-rule C̄_K is its own times (1 + B/100): a map under the other rule must hold exactly those.
    private static (GridSpec Grid, IReadOnlyList<BeaconRun> Runs) BothRules()
    {
        GridSpec grid = SyntheticBeacons.Grid([16, 64], [0.05, 0.1], [1], 3) with { BothRankRules = true };
        BeaconRun[] runs = grid.Runs().Select(k => SyntheticBeacons.Run(k.BatchSize, k.LearningRate, k.Seed, 3, e => new MeasurePoint(100.0 * e * k.BatchSize, 10.0 * e / k.BatchSize), 0.1 + k.BatchSize / 1000.0)).ToArray();
        runs = runs.Select(r => r with
        {
            Epochs = r.Epochs.Select(e => e with
            {
                OtherRule = new OtherRuleMeasures(RankRule.Reference, e.CumulativeCondition * (1 + r.BatchSize / 100.0), e.EpochCondition * 2, e.MeanRank + 1),
            }).ToArray(),
        }).ToArray();
        return (grid, runs);
    }

    [Test]
    public void AMapUnderTheOtherRuleHoldsTheOtherRulesMeasures()
    {
        (GridSpec grid, IReadOnlyList<BeaconRun> runs) = BothRules();
        (GridSpec underGrid, IReadOnlyList<BeaconRun> under) = MapRankRule.Under(grid, runs, RankRule.Reference, "--rank-rule");
        BeaconMap tolerance = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
        BeaconMap reference = BeaconMapBuilder.Build(underGrid, under, SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.That(underGrid.RankRule, Is.EqualTo(RankRule.Reference));
            Assert.That(reference.Grid.RankRule, Is.EqualTo(RankRule.Reference));
            for (int i = 0; i < runs.Count; i++)
            {
                for (int e = 0; e < 3; e++)
                {
                    EpochRecord before = runs[i].Epochs[e], after = under[i].Epochs[e];
                    Assert.That(after.CumulativeCondition, Is.EqualTo(before.CumulativeCondition * (1 + runs[i].BatchSize / 100.0)));
                    Assert.That(after.EpochCondition, Is.EqualTo(before.EpochCondition * 2));
                    Assert.That(after.MeanRank, Is.EqualTo(before.MeanRank + 1));
                    Assert.That(after.CumulativeEnergy, Is.EqualTo(before.CumulativeEnergy), "L_K does not depend on the rule");
                    Assert.That(after.OtherRule, Is.EqualTo(new OtherRuleMeasures(RankRule.Tolerance, before.CumulativeCondition, before.EpochCondition, before.MeanRank)));
                }
            }

            // The same errors, other positions: the best beacon is the same configuration, at the other rule's C̄_K.
            Assert.That(reference.Derived.BestBeacons[0].BatchSize, Is.EqualTo(tolerance.Derived.BestBeacons[0].BatchSize));
            Assert.That(reference.Derived.BestBeacons[0].Measures.CumulativeCondition, Is.EqualTo(tolerance.Derived.BestBeacons[0].Measures.CumulativeCondition * 1.16).Within(1e-9).Percent);
            Assert.That(MapRankRule.Under(grid, runs, RankRule.Tolerance, "--rank-rule").Runs, Is.SameAs(runs));
        });
    }

    [Test]
    public void AGridMeasuredUnderOneRuleRefusesAMapUnderTheOther()
    {
        (GridSpec grid, IReadOnlyList<BeaconRun> runs) = BothRules();
        var e = Assert.Throws<UserInputException>(() => MapRankRule.Under(grid with { BothRankRules = false }, runs, RankRule.Reference, "--rank-rule"));
        Assert.That(e!.Message, Does.Contain("--rank-rule").And.Contain("--both-rank-rules"));
    }

    [Test]
    public void AMapRefusesARunUnderTheOtherRule()
    {
        (GridSpec grid, IReadOnlyList<BeaconRun> runs) = BothRules();
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.DoesNotThrow(() => MapCompatibility.EnsureRankRule(map, RankRule.Tolerance, "--rank-rule", "m.json"));
            var e = Assert.Throws<UserInputException>(() => MapCompatibility.EnsureRankRule(map, RankRule.Reference, "--rank-rule", "m.json"));
            Assert.That(e!.Message, Does.Contain("--rank-rule").And.Contain("m.json").And.Contain("Tolerance"));
        });
    }
}
