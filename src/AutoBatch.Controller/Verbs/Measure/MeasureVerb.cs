using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>
/// The <c>measure</c> verb: the spectrum of F̃ and the Fisher measures of one batch for given weights, as JSON. Its
/// options are <see cref="MeasureOptions"/>'s declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class MeasureVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<MeasureOptions, MeasureService>(
        "measure",
        "Measure F̃'s spectrum, c, l, per-layer traces and the noise scale on one batch; prints JSON",
        MeasureOptions.SectionName,
        services =>
        {
            services.AddSingleton<IValidateOptions<MeasureOptions>, MeasureOptionsValidator>();

            // Standard output carries the JSON report only; every log line goes to standard error.
            services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });

    /// <summary>The flags given to a parsed <c>measure</c> command line, as <c>Measure:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(MeasureOptions), MeasureOptions.SectionName);
}
