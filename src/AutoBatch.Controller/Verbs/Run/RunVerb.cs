using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Run;

/// <summary>
/// The <c>run</c> verb: the main job, a run steered by a schedule (default: the closed loop over a beacon map). Its
/// options are <see cref="RunOptions"/>'s declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class RunVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<RunOptions, RunService>(
        "run",
        "Train with a schedule; by default the closed-loop controller steered by a beacon map",
        RunOptions.SectionName,
        services => services.AddSingleton<IValidateOptions<RunOptions>, RunOptionsValidator>());

    /// <summary>The flags given to a parsed <c>run</c> command line, as <c>Run:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(RunOptions), RunOptions.SectionName);
}
