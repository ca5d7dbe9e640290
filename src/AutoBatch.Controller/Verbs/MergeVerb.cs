using System.CommandLine;
using AutoBatch.Controller.Hosting;

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
        var command = new Command("merge", "Merge the shards of a beacon grid into one map") { grids, output, allowIncomplete };
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

            if (result.GetValue(allowIncomplete))
            {
                overrides[$"{MergeOptions.SectionName}:{nameof(MergeOptions.AllowIncomplete)}"] = "true";
            }

            return VerbHost.RunAsync<MergeOptions, MergeService>(MergeOptions.SectionName, overrides, token);
        });
        return command;
    }
}
