using System.ComponentModel.DataAnnotations;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Hosting;

/// <summary>Options of the <c>merge</c> verb (section <c>Merge</c>).</summary>
public sealed class MergeOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Merge";

    /// <summary>Comma-separated grid folders (the shards' --output folders).</summary>
    [Required(ErrorMessage = "--grids: give the shard folders to merge.")]
    public string Grids { get; set; } = string.Empty;

    /// <summary>Map file to write.</summary>
    [Required(ErrorMessage = "--output: give the map file to write.")]
    public string Output { get; set; } = string.Empty;

    /// <summary>The rank rule of the map's measures (default: the grid's own; the other one needs a grid run with both).</summary>
    public RankRule? RankRule { get; set; }

    /// <summary>Write a map even when some runs of the grid are missing (default false).</summary>
    public bool AllowIncomplete { get; set; }
}
