using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Verbs.Report;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Engine.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Compare;

/// <summary>
/// The <c>compare</c> verb (docs/DESIGN.md, 'Comparison'): runs every schedule x seed as a child <c>run</c> process,
/// several at once, resumable (finished runs are kept, interrupted ones continue from their checkpoints), then writes
/// the report, also when some runs failed (the report says which are missing).
/// </summary>
public sealed class CompareService : BackgroundService
{
    private readonly CompareOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<CompareService> _logger;

    /// <summary>Created by the host.</summary>
    public CompareService(IOptions<CompareOptions> options, IHostApplicationLifetime lifetime, ILogger<CompareService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The comparison the options describe; unset epochs and training subset are the map's grid's.</summary>
    public static CompareSpec ToSpec(CompareOptions o, BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(map);
        return new CompareSpec
        {
            // A full path: the report verb, run later from another folder, must find the same file.
            Map = Path.GetFullPath(o.Map),
            Schedules = CompareOptionsValidator.ParseSchedules(o.Schedules),
            Seeds = CompareOptionsValidator.ParseSeeds(o.Seeds),
            Epochs = o.Epochs ?? map.Grid.Epochs,
            TrainSubset = o.TrainSubset ?? map.Grid.TrainSubset,
            LearningRateRule = o.LearningRateRule,
        };
    }

    /// <summary>
    /// The options of <paramref name="run"/>'s child <c>run</c> process: the comparison's map, epochs, training subset
    /// and learning-rate rule, the run's schedule and seed, its own folder, threads and device, resumed, ended with this
    /// process.
    /// </summary>
    public static RunOptions ChildRun(CompareSpec spec, CompareRun run, string folder, string? dataPath, int threads, string device = EngineDevices.Cpu)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(run);
        return new RunOptions
        {
            Map = spec.Map,
            Schedule = run.Schedule.Name,
            Seed = run.Seed,
            Epochs = spec.Epochs,
            TrainSubset = spec.TrainSubset,
            LearningRateRule = spec.LearningRateRule ?? LearningRateRule.Keep,
            DataPath = dataPath,
            Threads = threads,
            Device = device,
            Output = folder,
            Resume = true,
            ExitWithParent = Environment.ProcessId,
        };
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        VerbRunner.RunAsync("compare", _logger, _lifetime, RunAsync, code => code, stoppingToken);

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // Refused here, once, rather than by every child run.
        string device = EngineDevices.Check(_options.Device, "--device");
        BeaconMap map = BeaconMapFile.Read(_options.Map);
        CompareSpec spec = ToSpec(_options, map);
        string folder = _options.Output;

        // The comparison folder's one owner from here to the end (each run's folder is held by its own child).
        using FolderLock owner = FolderLock.Acquire(folder, Flag(nameof(CompareOptions.Output)));
        if (!owner.Enforced)
        {
            Log.RunWarning(_logger, $"{Flag(nameof(CompareOptions.Output))}: the file system of '{folder}' does not enforce locks; a second process on this folder would not be refused.");
        }

        spec.Claim(folder, OptionRecord.Vocabulary(typeof(CompareOptions)));
        var runner = new CompareRunner(folder, spec, new ProcessCompareExecutor(
            (spec, run, folder) => ["run", .. OptionRecord.Arguments(ChildRun(spec, run, folder, _options.DataPath, _options.ThreadsPerRun, device))]));
        Log.CompareStarted(_logger, spec.Schedules.Count, spec.Seeds.Count, spec.Epochs, runner.Pending().Count, _options.Parallel, _options.ThreadsPerRun, folder);
        int failures = 0;
        await runner.RunAsync(
            _options.Parallel,
            run =>
            {
                RunSummary s = RunSession.ReadSummary(Path.Combine(run.FolderIn(folder), RunSession.SummaryName));
                Log.CompareRunFinished(_logger, run.Id, s.FinalTestError, s.Iterations, s.TrainSeconds, s.Diverged);
            },
            (run, e) =>
            {
                failures++;
                Log.RunFailed(_logger, run.Id, e.Message);
            },
            cancellationToken).ConfigureAwait(false);
        ReportService.Write(folder, spec, map, _logger);
        return failures > 0 ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(CompareOptions), property);
}
