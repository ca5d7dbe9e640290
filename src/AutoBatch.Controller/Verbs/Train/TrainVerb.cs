using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Train;

/// <summary>
/// The <c>train</c> verb: a single fixed-schedule run. Its options are <see cref="TrainOptions"/>'s declarations
/// (see <see cref="VerbOptions"/>).
/// </summary>
public static class TrainVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<TrainOptions, TrainService>(
        "train",
        "Train one configuration with a fixed batch size and step-decayed learning rate",
        TrainOptions.SectionName,
        services => services.AddSingleton<IValidateOptions<TrainOptions>, TrainOptionsValidator>());

    /// <summary>The flags given to a parsed <c>train</c> command line, as <c>Train:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(TrainOptions), TrainOptions.SectionName);
}
