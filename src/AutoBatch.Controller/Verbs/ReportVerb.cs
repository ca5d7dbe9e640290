using System.CommandLine;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>report</c> verb: rebuilds a comparison's report from its folder, without training.</summary>
public static class ReportVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var compare = new Option<string?>("--compare", "-c") { Description = "Comparison folder (compare --output; default runs/compare)" };
        var map = new Option<string?>("--map") { Description = "Beacon map (default: the one in the folder's compare.json)" };
        var command = new Command("report", "Rebuild report.md, report.json and the plots of a comparison folder") { compare, map };
        command.SetAction((result, token) =>
        {
            var o = new ConfigurationOverrides(ReportOptions.SectionName);
            o.Set(nameof(ReportOptions.Compare), result.GetValue(compare));
            o.Set(nameof(ReportOptions.Map), result.GetValue(map));
            return VerbHost.RunAsync<ReportOptions, ReportService>(
                ReportOptions.SectionName,
                o.Values,
                token,
                services => services.AddSingleton<IValidateOptions<ReportOptions>, ReportOptionsValidator>());
        });
        return command;
    }
}
