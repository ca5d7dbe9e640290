using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Beacons;

/// <summary>
/// The <c>beacons</c> verb: a resumable, shardable grid of beacon runs and its map. Its options are
/// <see cref="BeaconsOptions"/>'s declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class BeaconsVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<BeaconsOptions, BeaconsService>(
        "beacons",
        "Run a beacon grid (batch sizes x learning rates x seeds) and build its map",
        BeaconsOptions.SectionName,
        services => services.AddSingleton<IValidateOptions<BeaconsOptions>, BeaconsOptionsValidator>());

    /// <summary>The flags given to a parsed <c>beacons</c> command line, as <c>Beacons:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(BeaconsOptions), BeaconsOptions.SectionName);
}
