using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Engine;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Trains a TorchSharp module under AutoBatch's control: the batch size (and with a rule, the learning rate) chosen
/// while training by a schedule, by default the closed loop steered by a beacon map of the same model. The module's
/// parameters must live in <c>Linear</c>, <c>Conv2d</c> and <c>BatchNorm2d</c> layers (in any arrangement; other
/// modules only without trainable parameters, or frozen); the loss is softmax cross-entropy, the optimiser SGD with
/// Nesterov momentum 0.9 and weight decay 1e-4, α decayed x0.1 at 50% and 75% of the epochs. The run writes the same
/// records as the command line's <c>run</c> (epochs.jsonl, decisions.jsonl, checkpoint.safetensors, summary.json) and
/// trains the module in place. Runs on the TorchSharp engine, which it selects for the process.
/// </summary>
/// <example>
/// <code>
/// var trainer = new AutoBatchTrainer(model, train, test, new AutoBatchOptions { OutputFolder = "runs/mine", BeaconMap = "mine.json" });
/// await foreach (TrainingEvent e in trainer.TrainAsync(cancellationToken)) Console.WriteLine(e);
/// </code>
/// </example>
public sealed class AutoBatchTrainer
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly string _name;
    private readonly LabelledData _train;
    private readonly LabelledData _test;
    private readonly AutoBatchOptions _options;
    private readonly UserModel _described;
    private int _training;

    /// <summary>Prepares training; nothing runs until <see cref="TrainAsync"/> or <see cref="FitAsync"/>.</summary>
    /// <param name="model">The module: B x C x H x W images in, B x classes logits out. Trained in place.</param>
    /// <param name="train">The training samples.</param>
    /// <param name="test">The test samples, evaluated after every epoch.</param>
    /// <param name="options">Schedule, map, output folder and the rest.</param>
    /// <param name="name">The model's name in records and maps (default: the module's own name).</param>
    /// <exception cref="InvalidOperationException">The process already uses AutoBatch's native engine.</exception>
    /// <exception cref="ArgumentException">
    /// The device is not available, the data do not fit the module, or a module has trainable parameters the probe
    /// cannot decompose (the message names its path and type).
    /// </exception>
    public AutoBatchTrainer(nn.Module<Tensor, Tensor> model, LabelledData train, LabelledData test, AutoBatchOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputFolder);
        _model = model;
        _name = string.IsNullOrWhiteSpace(name) ? model.GetName() : name;
        _train = train;
        _test = test;
        _options = options;
        _described = UserModel.Admit(model, _name, train, test, options.Device, nameof(AutoBatchTrainer));
    }

    /// <summary>The model's name in records and maps: <c>custom:NAME@FINGERPRINT</c>, the fingerprint of its layers' types and shapes.</summary>
    public string ModelName => _described.Name;

    /// <summary>The summary of the last finished run, or null.</summary>
    public RunSummary? Summary { get; private set; }

    /// <summary>
    /// Trains, yielding every decision and epoch as it happens and a <see cref="TrainingCompleted"/> at the end. When
    /// <paramref name="cancellationToken"/> fires, training stops at the next step boundary, a checkpoint is written
    /// (continue with <see cref="AutoBatchOptions.Resume"/>) and <see cref="OperationCanceledException"/> is thrown.
    /// Leaving the enumeration early stops training the same way.
    /// </summary>
    /// <param name="cancellationToken">Stops training at a step boundary, with a checkpoint.</param>
    /// <exception cref="InvalidOperationException">This trainer is already training (one module trains one run at a time).</exception>
    public async IAsyncEnumerable<TrainingEvent> TrainAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _training, 1) == 1)
        {
            throw new InvalidOperationException("This trainer is already training; wait for its run to end before starting another.");
        }

        var events = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<RunSummary> run = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return Execute(new ChannelView(events.Writer), stop.Token);
                }
                finally
                {
                    events.Writer.Complete();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await foreach (TrainingEvent e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return e;
            }

            Summary = await run.ConfigureAwait(false);
            yield return new TrainingCompleted(Summary);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                // The caller left the enumeration early: stop at a step boundary (with a checkpoint) before returning.
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await run.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            Volatile.Write(ref _training, 0);
        }
    }

    /// <summary>Trains to the end and returns the summary (the events of <see cref="TrainAsync"/> go to <paramref name="progress"/>).</summary>
    /// <param name="progress">Receives every event, if given.</param>
    /// <param name="cancellationToken">Stops training at a step boundary, with a checkpoint.</param>
    public async Task<RunSummary> FitAsync(IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        await foreach (TrainingEvent e in TrainAsync(cancellationToken).ConfigureAwait(false))
        {
            progress?.Report(e);
        }

        return Summary!;
    }

    // What AutoBatchOptions calls a run's settings and run's options where its names differ (RunSettings.Output, RunOptions.Map).
    private static readonly Dictionary<string, string> OptionNames = new(StringComparer.Ordinal)
    {
        [nameof(RunSettings.Output)] = nameof(AutoBatchOptions.OutputFolder),
        [nameof(RunSettings.MapPath)] = nameof(AutoBatchOptions.BeaconMap),
        [nameof(RunSettings.Rule)] = nameof(AutoBatchOptions.LearningRateRule),
        [nameof(RunOptions.Map)] = nameof(AutoBatchOptions.BeaconMap),
    };

    private static readonly Func<string, string> SettingNames = setting => OptionNames.GetValueOrDefault(setting, setting);

    // The run verb's flag of each run option that AutoBatchOptions also has, to the AutoBatchOptions property.
    private static readonly Dictionary<string, string> OptionOfFlag = Hosting.OptionRecord.Flags(typeof(RunOptions))
        .Select(f => (f.Flag.Name, Option: SettingNames(f.Property.Name)))
        .Where(f => typeof(AutoBatchOptions).GetProperty(f.Option) is not null)
        .ToDictionary(f => f.Name, f => f.Option, StringComparer.Ordinal);

    private RunSummary Execute(IRunView view, CancellationToken cancellationToken) =>
        Train(_model, _name, _described, _train, _test, _options, $"{nameof(AutoBatchTrainer)} ({ModelName}, {_options.Schedule.Name})", view, cancellationToken);

    /// <summary>
    /// One run of <paramref name="model"/> under <paramref name="o"/>: the options resolved against the map as the
    /// command line's <c>run</c> resolves its flags, then a <see cref="RunSession"/> over the user's data. Shared by the
    /// trainer and <see cref="ScheduleComparison"/>'s runs, so that a comparison's run is the trainer's run.
    /// </summary>
    internal static RunSummary Train(
        nn.Module<Tensor, Tensor> model, string name, UserModel described, LabelledData train, LabelledData test, AutoBatchOptions o, string command,
        IRunView? view, CancellationToken cancellationToken)
    {
        bool needsMap = ScheduleSpec.Parse(o.Schedule.Name).Kind is ScheduleKind.ClosedLoop or ScheduleKind.Best;
        if (string.IsNullOrWhiteSpace(o.BeaconMap))
        {
            string? missing = needsMap ? $"BeaconMap: the {o.Schedule.Name} schedule needs a beacon map of this model (build one with BeaconGrid)"
                : o.Epochs is null ? "Epochs: required without a beacon map"
                : o.LearningRate is null ? "LearningRate: required without a beacon map"
                : null;
            if (missing is not null)
            {
                throw new ArgumentException(missing + ".");
            }
        }

        var run = new RunOptions
        {
            Map = string.IsNullOrWhiteSpace(o.BeaconMap) ? null : o.BeaconMap,
            Schedule = o.Schedule.Name,
            Model = described.Name,
            Data = train.Kind,
            Epochs = o.Epochs,
            ProbeInterval = o.ProbeInterval,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            LearningRateRule = o.LearningRateRule,
            MinBatchSize = o.MinBatchSize,
            MaxBatchSize = o.MaxBatchSize,
            Seed = o.Seed,
            Threads = o.Threads,
            Device = o.Device,
            Output = o.OutputFolder,
            CheckpointEvery = o.CheckpointEvery,
            Resume = o.Resume,
        };
        RunSettings settings;
        IBatchPolicy policy;
        MapModel? map;
        try
        {
            (settings, policy, map, _) = RunService.Resolve(run);
        }
        catch (UserInputException e)
        {
            // The run verb's resolution names its flags; the library's user set AutoBatchOptions' properties.
            throw OptionOfFlag.TryGetValue(e.Input, out string? option) ? e.Renamed(option) : e;
        }

        settings = settings with { TrainSubset = null, Command = command, NameOf = SettingNames };
        var workload = new RunWorkload
        {
            Train = train.Source,
            Test = test.Source,
            CreateNetwork = () => described.Network(model, name),
            TrainingSet = train.TrainingSet,
            Augmentation = train.Augmentation,
        };
        return new RunSession(settings, policy, map, workload).Execute(view, cancellationToken);
    }
}
