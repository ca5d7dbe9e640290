using AutoBatch.Beacons.Grid;
using AutoBatch.Engine;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// A grid's runs read under a chosen rank rule: a grid whose probes applied both rules
/// (<see cref="GridSpec.BothRankRules"/>) gives a map under either, from the same runs.
/// </summary>
public static class MapRankRule
{
    /// <summary>
    /// The grid and runs with every epoch's C̄_K, mean c_k and rank under <paramref name="rule"/>
    /// (<see cref="Engine.Training.EpochRecord.UnderRule"/>); unchanged when <paramref name="rule"/> is the grid's own.
    /// </summary>
    /// <exception cref="UserInputException">The grid measured only its own rule; <paramref name="option"/> is named.</exception>
    public static (GridSpec Grid, IReadOnlyList<BeaconRun> Runs) Under(GridSpec grid, IReadOnlyList<BeaconRun> runs, RankRule rule, string option)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(runs);
        if (rule == grid.RankRule)
        {
            return (grid, runs);
        }

        if (!grid.BothRankRules)
        {
            throw new UserInputException(option, $"the grid's runs were measured under the {grid.RankRule} rank rule only; "
                + $"a map under {rule} needs a grid run with both rules (`autobatch beacons --both-rank-rules`).");
        }

        var converted = new List<BeaconRun>(runs.Count);
        foreach (BeaconRun run in runs)
        {
            if (run.Epochs.Any(e => e.RankRule != rule && e.OtherRule?.Rule != rule))
            {
                throw new UserInputException(option, $"run {run.Id} holds no measures under the {rule} rank rule, although its grid applied both.");
            }

            converted.Add(run with { Epochs = run.Epochs.Select(e => e.UnderRule(rule)).ToArray() });
        }

        return (grid with { RankRule = rule }, converted);
    }
}
