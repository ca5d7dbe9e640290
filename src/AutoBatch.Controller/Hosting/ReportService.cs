using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Hosting;

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

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            CompareSpec spec = CompareSpec.Read(_options.Compare);
            string mapPath = _options.Map ?? spec.Map;
            BeaconMap? map = null;
            if (File.Exists(mapPath))
            {
                map = BeaconMapFile.Read(mapPath);
            }
            else
            {
                Log.MapUnavailable(_logger, mapPath);
            }

            Write(_options.Compare, spec, map, _logger);
            Environment.ExitCode = ExitCodes.Ok;
        }
        catch (Exception e) when (ExitCodes.For(e) == ExitCodes.BadInput)
        {
            Log.VerbFailed(_logger, "report", e.Message);
            Environment.ExitCode = ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            Log.VerbCrashed(_logger, e, "report");
            Environment.ExitCode = ExitCodes.Failure;
        }
        finally
        {
            _lifetime.StopApplication();
        }
    }
}
