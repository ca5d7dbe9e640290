using System.CommandLine;
using AutoBatch.Controller.Hosting;

namespace AutoBatch.Controller.Verbs.Merge;

/// <summary>
/// The <c>merge</c> verb: the shards of a beacon grid into one map. Its options are <see cref="MergeOptions"/>'s
/// declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class MergeVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("merge", "Merge the shards of a beacon grid into one map");
        foreach (Option option in VerbOptions.Create(typeof(MergeOptions)))
        {
            command.Options.Add(option);
        }

        command.SetAction((result, token) => VerbHost.RunAsync<MergeOptions, MergeService>(MergeOptions.SectionName, Overrides(result), token));
        return command;
    }

    /// <summary>The flags given to a parsed <c>merge</c> command line, as <c>Merge:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(MergeOptions), MergeOptions.SectionName);
}
