using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Report;

/// <summary>The <c>report</c> verb: rebuilds report.md, report.json and the plots of a comparison folder, without training.</summary>
public sealed class ReportService : BackgroundService
{
    private readonly ReportOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ReportService> _logger;

    /// <summary>Created by the host.</summary>
    public ReportService(IOptions<ReportOptions> options, IHostApplicationLifetime lifetime, ILogger<ReportService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Builds and writes the report of <paramref name="folder"/>, and logs where it is and what is missing.</summary>
    public static ComparisonReport Write(string folder, CompareSpec spec, BeaconMap? map, ILogger logger)
    {
        ComparisonReport report = ReportBuilder.Build(folder, spec, map);
        ReportWriter.Write(report, map, folder);
        Log.ReportWritten(logger, Path.Combine(folder, ReportWriter.MarkdownFile), report.Runs.Count, spec.Schedules.Count * spec.Seeds.Count);
        foreach (string missing in report.Missing)
        {
            Log.RunMissing(logger, missing);
        }

        return report;
    }

    /// <summary>The model and data set of the comparison's first finished run (null, null when none has finished).</summary>
    private static (string? Model, DataSetKind? Data) RunsModel(string folder, CompareSpec spec)
    {
        foreach (CompareRun run in spec.Runs())
        {
            string runFolder = run.FolderIn(folder);
            if (CompareRunner.IsFinished(runFolder))
            {
                RunSummary summary = RunSession.ReadSummary(Path.Combine(runFolder, RunSession.SummaryName));
                return (summary.Model, summary.Data);
            }
        }

        return (null, null);
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        VerbRunner.RunAsync("report", _logger, _lifetime, _ => Task.FromResult(Rebuild()), _ => ExitCodes.Ok, stoppingToken);

    private ComparisonReport Rebuild()
    {
        // The report is written into the comparison folder: not while a compare (or another report) writes there.
        // A folder that does not exist is not made here; reading its spec says what is missing.
        using FolderLock? owner = Directory.Exists(_options.Compare) ? FolderLock.Acquire(_options.Compare, Flag(nameof(ReportOptions.Compare))) : null;
        CompareSpec spec = CompareSpec.Read(_options.Compare);
        string mapPath = _options.Map ?? spec.Map;
        BeaconMap? map = null;
        if (File.Exists(mapPath))
        {
            // A map given with --map must be of the runs' model and data set; the report then names it.
            (string? model, DataSetKind? data) = RunsModel(_options.Compare, spec);
            map = BeaconMapFile.Read(mapPath, model, data);
            spec = spec with { Map = mapPath };
        }
        else
        {
            Log.MapUnavailable(_logger, mapPath);
        }

        return Write(_options.Compare, spec, map, _logger);
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(ReportOptions), property);
}
