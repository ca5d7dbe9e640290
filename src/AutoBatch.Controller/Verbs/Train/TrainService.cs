using AutoBatch.Controller.Display;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AutoBatch.Controller.Verbs.Train;

/// <summary>The <c>train</c> verb: one fixed-schedule run with per-epoch records and a progress display.</summary>
public sealed class TrainService : BackgroundService
{
    private readonly TrainOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<TrainService> _logger;

    /// <summary>Created by the host.</summary>
    public TrainService(IOptions<TrainOptions> options, IHostApplicationLifetime lifetime, ILogger<TrainService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The final record, once training finished (for tests and callers).</summary>
    public EpochRecord? Final { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken) =>
        Final = await VerbRunner.RunAsync(
            "train", _logger, _lifetime, token => Task.FromResult(Train(token)), r => r is { Diverged: true } ? ExitCodes.Diverged : ExitCodes.Ok,
            stoppingToken, _options.ExitWithParent).ConfigureAwait(false);

    /// <summary>The run's settings as train's flags name them (a fixed schedule: --batch-size is the schedule).</summary>
    private static readonly Func<string, string> SettingNames = OptionRecord.Vocabulary(typeof(TrainOptions), new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RunIdentity.ScheduleKey] = nameof(TrainOptions.BatchSize),
    });

    private EpochRecord? Train(CancellationToken cancellationToken)
    {
        TrainOptions o = _options;
        var settings = new RunSettings
        {
            Model = o.Model,
            Data = o.Data,
            DataPath = o.DataPath,
            TrainSubset = o.TrainSubset,
            NoAugmentation = o.NoAugmentation,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            Epochs = o.Epochs,
            Seed = o.Seed,
            Threads = o.Threads,
            Device = EngineDevices.Check(o.Device, OptionRecord.FlagOf(typeof(TrainOptions), nameof(TrainOptions.Device))),
            ProbeInterval = o.ProbeInterval,
            ProbeBackground = o.ProbeBackground,
            RankRule = o.RankRule,
            BothRankRules = o.BothRankRules,
            Output = o.Output,
            CheckpointEvery = o.CheckpointEvery,
            Resume = o.Resume,
            RollbackOnDivergence = false,
            Command = Environment.CommandLine,
            OutputLockWait = o.ExitWithParent is null ? TimeSpan.Zero : RunSettings.ChildLockWait,
            NameOf = SettingNames,
        };
        var session = new RunSession(settings, new FixedPolicy(o.BatchSize));
        Log.RunStarted(
            _logger, "fixed", o.Model, o.Data.ToString(), o.Seed, o.BatchSize, o.LearningRate, o.Epochs, o.Output,
            o.Resume ? " (resuming if a checkpoint exists)" : string.Empty);
        RunSummary summary = ConsoleView.Run(o.Epochs, withDistance: false, view => session.Execute(new LoggingView(view, _logger), cancellationToken));
        string records = Path.Combine(o.Output, "epochs.jsonl");
        AnsiConsole.MarkupLine(
            summary.Diverged
                ? $"[red]Diverged[/] in epoch {summary.Epochs} (non-finite loss). Records: {Markup.Escape(records)}"
                : $"Final test error: [bold]{summary.FinalTestError:P2}[/] after {summary.Epochs} epochs ({Markup.Escape(o.Model)}, B={o.BatchSize}, α={o.LearningRate}). Records: {Markup.Escape(records)}");
        IReadOnlyList<EpochRecord> all = EpochLog.Read(records);
        return all.Count == 0 ? null : all[^1];
    }
}
