using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Compare;

/// <summary>
/// The <c>compare</c> verb: schedules x seeds as parallel, resumable child runs, then the report. Its options are
/// <see cref="CompareOptions"/>'s declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class CompareVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<CompareOptions, CompareService>(
        "compare",
        "Run schedules x seeds (parallel, resumable) and write the comparison report",
        CompareOptions.SectionName,
        services => services.AddSingleton<IValidateOptions<CompareOptions>, CompareOptionsValidator>());

    /// <summary>The flags given to a parsed <c>compare</c> command line, as <c>Compare:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(CompareOptions), CompareOptions.SectionName);
}
