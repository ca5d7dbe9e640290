using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.GridRuns;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Merge;

/// <summary>The <c>merge</c> verb: combines the shards of a grid into one beacon map.</summary>
public sealed class MergeService : BackgroundService
{
    private readonly MergeOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<MergeService> _logger;

    /// <summary>Created by the host.</summary>
    public MergeService(IOptions<MergeOptions> options, IHostApplicationLifetime lifetime, ILogger<MergeService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        VerbRunner.RunAsync("merge", _logger, _lifetime, _ => MergeAsync(), code => code, stoppingToken);

    private async Task<int> MergeAsync()
    {
        string[] folders = _options.Grids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (grid, runs, missing, unusable) = ShardMerger.Merge(folders, Flag(nameof(MergeOptions.Grids)));
        if (unusable.Count > 0 && !_options.AllowIncomplete)
        {
            throw UserInputException.Naming(
                folders.First(f => unusable[0].Contains(f, StringComparison.Ordinal)),
                $"{unusable[0].TrimEnd('.')}{(unusable.Count > 1 ? $" (and {unusable.Count - 1} more run files that cannot be used)" : string.Empty)}; "
                + $"rerun the beacons command of its folder to redo such a run, or pass {Flag(nameof(MergeOptions.AllowIncomplete))} to leave it out.");
        }

        foreach (string problem in unusable)
        {
            Log.RunFileSkipped(_logger, problem);
        }

        if (missing.Count > 0 && !_options.AllowIncomplete)
        {
            throw new UserInputException(Flag(nameof(MergeOptions.Grids)), $"{missing.Count} of {grid.Runs().Count} runs are missing ({string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : string.Empty)}); finish the shards or pass {Flag(nameof(MergeOptions.AllowIncomplete))}.");
        }

        if (_options.RankRule is { } rule)
        {
            (grid, runs) = MapRankRule.Under(grid, runs, rule, Flag(nameof(MergeOptions.RankRule)));
        }

        BeaconMap map = MapWriter.Write(grid, runs, _options.Output, Flag(nameof(MergeOptions.Output)), Environment.CommandLine, threadsPerRun: 0, parallelRuns: 0);
        Log.MapWritten(_logger, _options.Output);
        await Console.Out.WriteAsync(RelationsSummary.Format(map)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(MergeOptions), property);
}
