using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Report;

/// <summary>
/// The <c>report</c> verb: rebuilds a comparison's report from its folder, without training. Its options are
/// <see cref="ReportOptions"/>'s declarations (see <see cref="VerbOptions"/>).
/// </summary>
public static class ReportVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => VerbCommand.Create<ReportOptions, ReportService>(
        "report",
        "Rebuild report.md, report.json and the plots of a comparison folder",
        ReportOptions.SectionName,
        services => services.AddSingleton<IValidateOptions<ReportOptions>, ReportOptionsValidator>());

    /// <summary>The flags given to a parsed <c>report</c> command line, as <c>Report:Property</c> configuration keys.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult result) =>
        VerbOptions.Overrides(result, typeof(ReportOptions), ReportOptions.SectionName);
}
