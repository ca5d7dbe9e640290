using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Verbs.Merge;

/// <summary>Options of the <c>merge</c> verb (section <c>Merge</c>; command-line flags override).</summary>
/// <remarks>
/// The single declaration of the verb's options, as for every verb (docs/DESIGN.md, 'Adding an option'): flags, help and the
/// required-value messages are read from here for the command line and its configuration keys.
/// </remarks>
public sealed class MergeOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Merge";

    /// <summary>Comma-separated grid folders (the shards' --output folders); on the command line, one or more folders.</summary>
    [Flag("--grids", "The shard folders (beacons --output of each shard)", Multiple = true)]
    [FlagRequired("give the shard folders to merge.")]
    public string Grids { get; set; } = string.Empty;

    /// <summary>Map file to write.</summary>
    [Flag("--output", "Map file to write", Alias = "-o")]
    [FlagRequired("give the map file to write.")]
    public string Output { get; set; } = string.Empty;

    /// <summary>Write a map even when some runs of the grid are missing (default false).</summary>
    [Flag("--allow-incomplete", "Write a map even if runs are missing")]
    public bool AllowIncomplete { get; set; }

    /// <summary>The rank rule of the map's measures (default: the grid's own; the other one needs a grid run with both).</summary>
    [Flag("--rank-rule", "Build the map under this rank rule: Tolerance or Reference (default: the grid's; the other needs beacons --both-rank-rules)")]
    public RankRule? RankRule { get; set; }
}
