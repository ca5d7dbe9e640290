using AutoBatch.Controller.Hosting;

namespace AutoBatch.Controller.Verbs.Report;

/// <summary>Options of the <c>report</c> verb (section <c>Report</c>): rebuild a comparison's report without training.</summary>
/// <remarks>
/// The single declaration of the verb's options, as for every verb (docs/DESIGN.md, 'Adding an option'): flags, help and the
/// required-value message are read from here for the command line and its configuration keys.
/// </remarks>
public sealed class ReportOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Report";

    /// <summary>The comparison folder (compare --output; default runs/compare).</summary>
    [Flag("--compare", "Comparison folder (compare --output; default runs/compare)", Alias = "-c")]
    [FlagRequired("give the comparison folder.")]
    public string Compare { get; set; } = "runs/compare";

    /// <summary>Beacon map (default: the one in the folder's compare.json).</summary>
    [Flag("--map", "Beacon map (default: the one in the folder's compare.json)")]
    public string? Map { get; set; }
}
