using AutoBatch.Controller.Output;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace AutoBatch.Controller.Hosting;

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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var orphanGuard = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var watcher = ParentWatcher.Start(_options.ExitWithParent, orphanGuard);
        stoppingToken = orphanGuard.Token;
        try
        {
            Final = await Task.Run(() => Train(stoppingToken), stoppingToken).ConfigureAwait(false);
            Environment.ExitCode = Final is { Diverged: true } ? ExitCodes.Diverged : ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            Log.VerbCancelled(_logger, "train");
            Environment.ExitCode = ExitCodes.Cancelled;
        }
        catch (Exception e) when (ExitCodes.For(e) == ExitCodes.BadInput)
        {
            Log.VerbFailed(_logger, "train", e.Message);
            Environment.ExitCode = ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            Log.VerbCrashed(_logger, e, "train");
            Environment.ExitCode = ExitCodes.Failure;
        }
        finally
        {
            _lifetime.StopApplication();
        }
    }

    private EpochRecord? Train(CancellationToken cancellationToken)
    {
        TrainOptions o = _options;
        EngineRuntime.SetThreads(o.Threads);
        string dataPath = o.DataPath ?? DataSetLoader.DefaultFashionMnistDirectory;
        (ImageDataSet train, ImageDataSet test) = DataSetLoader.Load(o.Data, dataPath);
        if (o.TrainSubset is { } subset)
        {
            train = train.Subset(subset, seed: 0);
        }

        if (o.BatchSize > train.Count)
        {
            throw new ArgumentException($"--batch-size: {o.BatchSize} is larger than the training set ({train.Count} samples).");
        }

        var spec = ModelSpec.Parse(o.Model, new InputShape(train.Channels, train.Height, train.Width), o.Data.ClassCount());
        var normalisation = ChannelNormalisation.FromData(train);
        AugmentationKind augmentation = o.NoAugmentation || spec.Kind == ModelKind.Mlp ? AugmentationKind.None : o.Data.DefaultAugmentation();
        using var network = Network.Create(spec, SgdSettings.Paper, o.Seed);
        var trainer = new Trainer(
            network,
            new BatchAssembler(train, normalisation, augmentation),
            new BatchAssembler(test, normalisation, AugmentationKind.None),
            new TrainerOptions { Epochs = o.Epochs, Seed = o.Seed, Probe = o.ProbeInterval == 0 ? null : new ProbeSettings { Interval = o.ProbeInterval } });
        var planner = new FixedPlanner(o.BatchSize, new StepDecaySchedule(o.LearningRate, o.Epochs));
        Log.TrainingStarted(_logger, spec.Name, o.Data.ToString(), train.Count, test.Count, network.ParameterCount, o.BatchSize, o.LearningRate, o.Epochs, o.Threads);
        using var log = new EpochLog(o.Output);
        EpochRecord? last = null;
        ConsoleView.Run(o.Epochs, train.Count, (onStep, onEpoch) =>
        {
            foreach (EpochRecord record in trainer.Run(planner, onStep, cancellationToken))
            {
                log.Append(record);
                onEpoch(record);
                Log.EpochFinished(_logger, record.Epoch, record.TestError, record.ConditionMean, record.Energy);
                last = record;
            }
        });
        if (last is not null)
        {
            AnsiConsole.MarkupLine(
                last.Diverged
                    ? $"[red]Diverged[/] in epoch {last.Epoch} (non-finite loss). Records: {Markup.Escape(log.JsonPath)}"
                    : $"Final test error: [bold]{last.TestError:P2}[/] after {last.Epoch} epochs ({spec.Name}, B={o.BatchSize}, α={o.LearningRate}). Records: {Markup.Escape(log.JsonPath)}");
        }

        return last;
    }
}
