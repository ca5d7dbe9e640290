using System.ComponentModel.DataAnnotations;

namespace AutoBatch.Controller.Hosting;

/// <summary>Options of the <c>report</c> verb (section <c>Report</c>): rebuild a comparison's report without training.</summary>
public sealed class ReportOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Report";

    /// <summary>The comparison folder (compare --output; default runs/compare).</summary>
    [Required(ErrorMessage = "--compare: give the comparison folder.")]
    public string Compare { get; set; } = "runs/compare";

    /// <summary>Beacon map (default: the one in the folder's compare.json).</summary>
    public string? Map { get; set; }
}
