using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Report;

/// <summary>Checks of <see cref="ReportOptions"/> run on start; each failure names the flag.</summary>
public sealed class ReportOptionsValidator : IValidateOptions<ReportOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Compare) && !File.Exists(CompareSpec.PathIn(options.Compare)))
        {
            failures.Add($"{Flag(nameof(ReportOptions.Compare))}: '{options.Compare}' holds no {CompareSpec.FileName} (give the folder the compare verb wrote).");
        }

        if (options.Map is { } map && !File.Exists(map))
        {
            failures.Add($"{Flag(nameof(ReportOptions.Map))}: '{map}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(ReportOptions), property);
}
