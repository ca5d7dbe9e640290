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
    public static Command Create() => VerbCommand.Create<MergeOptions, MergeService>(
        "merge",
        "Merge the shards of a beacon grid into one map",
        MergeOptions.SectionName);

    /// <summary>The flags given to a parsed <c>merge</c> command line, as <c>Merge:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(MergeOptions), MergeOptions.SectionName);
}
