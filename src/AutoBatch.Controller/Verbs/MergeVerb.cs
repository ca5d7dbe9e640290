using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>merge</c> verb.</summary>
public static class MergeVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var grids = new Option<string[]>("--grids") { Description = "The shard folders (beacons --output of each shard)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "Map file to write" };
        var allowIncomplete = new Option<bool>("--allow-incomplete") { Description = "Write a map even if runs are missing" };
        var rankRule = new Option<RankRule?>("--rank-rule") { Description = "Build the map under this rank rule: Tolerance or Reference (default: the grid's; the other needs beacons --both-rank-rules)" };
        var command = new Command("merge", "Merge the shards of a beacon grid into one map") { grids, output, allowIncomplete, rankRule };
        command.SetAction((result, token) =>
        {
            var overrides = new Dictionary<string, string?>
            {
                [$"{MergeOptions.SectionName}:{nameof(MergeOptions.Grids)}"] = string.Join(',', result.GetValue(grids) ?? []),
            };
            if (result.GetValue(output) is { } o)
            {
                overrides[$"{MergeOptions.SectionName}:{nameof(MergeOptions.Output)}"] = o;
            }

            if (result.GetValue(rankRule) is { } rule)
            {
                overrides[$"{MergeOptions.SectionName}:{nameof(MergeOptions.RankRule)}"] = rule.ToString();
            }

            if (result.GetValue(allowIncomplete))
            {
                overrides[$"{MergeOptions.SectionName}:{nameof(MergeOptions.AllowIncomplete)}"] = "true";
            }

            return VerbHost.RunAsync<MergeOptions, MergeService>(MergeOptions.SectionName, overrides, token);
        });
        return command;
    }
}
