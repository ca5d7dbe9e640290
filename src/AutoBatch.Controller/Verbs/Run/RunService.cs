using System.Globalization;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Display;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AutoBatch.Controller.Verbs.Run;

/// <summary>
/// The <c>run</c> verb, the product's main job: one run under a schedule (by default the closed-loop controller
/// steered by a beacon map), with a live view, decisions logged, checkpoints, and at the end the result beside the
/// map's best fixed beacon.
/// </summary>
public sealed class RunService : BackgroundService
{
    private readonly RunOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<RunService> _logger;

    /// <summary>Created by the host.</summary>
    public RunService(IOptions<RunOptions> options, IHostApplicationLifetime lifetime, ILogger<RunService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The summary once the run finished (for tests).</summary>
    public RunSummary? Summary { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) =>
        Summary = await VerbRunner.RunAsync(
            "run", _logger, _lifetime, token => Task.FromResult(Execute(token)), s => s.Diverged ? ExitCodes.Diverged : ExitCodes.Ok,
            stoppingToken, _options.ExitWithParent).ConfigureAwait(false);

    /// <summary>Resolves the options against the map into settings and a policy.</summary>
    public static (RunSettings Settings, IBatchPolicy Policy, MapModel? Map, BestBeacon? Best) Resolve(RunOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string device = EngineDevices.Check(o.Device, Flag(nameof(RunOptions.Device)));
        ScheduleSpec schedule = ScheduleSpec.Parse(o.Schedule);
        BeaconMap? map = string.IsNullOrWhiteSpace(o.Map) ? null : BeaconMapFile.Read(o.Map, o.Model, o.Data);
        if (map is not null && o.RankRule is { } rule)
        {
            MapCompatibility.EnsureRankRule(map, rule, Flag(nameof(RunOptions.RankRule)), o.Map);
        }

        MapModel? model = map is null ? null : new MapModel(map);
        BestBeacon? best = map?.Derived.BestBeacons.Count > 0 ? map.Derived.BestBeacons[0] : null;
        if (schedule.Kind is ScheduleKind.ClosedLoop or ScheduleKind.Best && best is null)
        {
            throw new UserInputException(o.Map ?? Flag(nameof(RunOptions.Map)), $"the map has no best beacon (no run finished); the {schedule.Name} schedule needs one.");
        }

        var guards = new PolicyGuards
        {
            MinBatchSize = o.MinBatchSize,
            MaxBatchSize = o.MaxBatchSize,
            DwellEpochs = o.DwellEpochs,
            FreezeInLastPhase = !o.AllowLastPhaseChanges,
        };
        IBatchPolicy policy = schedule.Kind switch
        {
            ScheduleKind.Fixed => new FixedPolicy(schedule.BatchSize!.Value),
            ScheduleKind.Best => new FixedPolicy(best!.BatchSize),
            ScheduleKind.Staged => new StagedPolicy(schedule.StagedBase, schedule.Sequence, schedule.MultiStage),
            ScheduleKind.NoiseScale => new NoiseScalePolicy(guards),
            ScheduleKind.ClosedLoop => new ClosedLoopPolicy(model!, new ClosedLoopSettings { Guards = guards, ErrorTolerance = o.ErrorTolerance }),
            _ => throw new UserInputException(Flag(nameof(RunOptions.Schedule)), $"unknown kind {schedule.Kind}."),
        };
        // The closed loop starts where its objective says, unless told where (docs/CONTROLLER.md, "Where the run starts").
        (BestBeacon Start, string Reason)? start = policy is ClosedLoopPolicy loop && o.BatchSize is null && o.LearningRate is null ? loop.Start() : null;
        int batch = schedule.Kind switch
        {
            ScheduleKind.Fixed => schedule.BatchSize!.Value,
            ScheduleKind.Best => best!.BatchSize,
            ScheduleKind.Staged => schedule.Sequence[0],
            _ => o.BatchSize ?? start?.Start.BatchSize ?? best?.BatchSize ?? throw new UserInputException(Flag(nameof(RunOptions.BatchSize)), "required without a map."),
        };
        if (o.BatchSize is { } given && given != batch)
        {
            throw new UserInputException(Flag(nameof(RunOptions.BatchSize)), $"the {schedule.Name} schedule starts at B = {batch}; {Flag(nameof(RunOptions.BatchSize))} {given} contradicts it.");
        }

        double lr = o.LearningRate ?? start?.Start.LearningRate ?? (schedule.Kind == ScheduleKind.Best ? best!.LearningRate : best?.LearningRate)
            ?? throw new UserInputException(Flag(nameof(RunOptions.LearningRate)), "required without a map.");
        var settings = new RunSettings
        {
            Model = o.Model ?? map?.Grid.Model ?? throw new UserInputException(Flag(nameof(RunOptions.Model)), "required without a map."),
            Data = o.Data ?? map?.Grid.Data ?? DataSetKind.FashionMnist,
            DataPath = o.DataPath,
            TrainSubset = o.TrainSubset ?? map?.Grid.TrainSubset,
            BatchSize = batch,
            LearningRate = lr,
            Rule = schedule.Rule ?? o.LearningRateRule,
            Epochs = o.Epochs ?? map?.Grid.Epochs ?? throw new UserInputException(Flag(nameof(RunOptions.Epochs)), "required without a map."),
            Seed = o.Seed,
            Threads = o.Threads,
            Device = device,
            ProbeInterval = o.ProbeInterval ?? map?.Grid.ProbeInterval ?? 50,
            ProbeBackground = o.ProbeBackground,
            RankRule = o.RankRule ?? map?.Grid.RankRule ?? RankRule.Tolerance,
            BothRankRules = o.BothRankRules,
            Output = o.Output,
            CheckpointEvery = o.CheckpointEvery,
            Resume = o.Resume,
            RollbackOnDivergence = o.Rollback ?? schedule.Kind is ScheduleKind.ClosedLoop or ScheduleKind.NoiseScale,
            MapPath = o.Map,
            StartReason = start?.Reason,
            Command = Environment.CommandLine,
            OutputLockWait = o.ExitWithParent is null ? TimeSpan.Zero : RunSettings.ChildLockWait,
            NameOf = SettingNames,
        };
        return (settings, policy, model, best);
    }

    private RunSummary Execute(CancellationToken cancellationToken)
    {
        (RunSettings settings, IBatchPolicy policy, MapModel? map, BestBeacon? best) = Resolve(_options);
        var session = new RunSession(settings, policy, map);
        Log.RunStarted(
            _logger, policy.Name, settings.Model, settings.Data.ToString(), settings.Seed, settings.BatchSize, settings.LearningRate, settings.Epochs,
            settings.Output, settings.Resume ? " (resuming if a checkpoint exists)" : string.Empty);
        if (settings.StartReason is { } reason)
        {
            Log.RunStart(_logger, reason);
        }

        RunSummary summary = ConsoleView.Run(settings.Epochs, withDistance: map is not null, view => session.Execute(new LoggingView(view, _logger), cancellationToken));
        PrintResult(summary, best, map);
        return summary;
    }

    private static void PrintResult(RunSummary s, BestBeacon? best, MapModel? map)
    {
        (IReadOnlyList<string[]> rows, IReadOnlyList<string> notes) = RunResultTable.Build(s, best, map?.Map);
        var table = new Table().AddColumns(RunResultTable.Headers.Select(Markup.Escape).ToArray());
        foreach (string[] row in rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
        foreach (string note in notes)
        {
            AnsiConsole.MarkupLine("[grey]" + Markup.Escape(note) + "[/]");
        }

        if (s.DistanceToRegion is { } d)
        {
            AnsiConsole.MarkupLine(Invariant($"Final (C̄_K, L_K) = ({s.CumulativeCondition:G4}, {s.CumulativeEnergy:G4}), distance to the map's optimum region {d:F3}."));
        }
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(RunOptions), property);

    /// <summary>The run's settings as run's flags name them.</summary>
    internal static readonly Func<string, string> SettingNames = OptionRecord.Vocabulary(typeof(RunOptions), new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(RunSettings.Rule)] = nameof(RunOptions.LearningRateRule),
        [nameof(RunSettings.RollbackOnDivergence)] = nameof(RunOptions.Rollback),
        [nameof(RunSettings.MapPath)] = nameof(RunOptions.Map),
    });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
