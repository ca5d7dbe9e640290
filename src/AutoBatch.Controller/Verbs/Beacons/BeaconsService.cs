using System.Globalization;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.GridRuns;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Verbs.Train;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Beacons;

/// <summary>
/// The <c>beacons</c> verb: runs the unfinished runs of a grid (or one shard) as parallel child processes,
/// persisting each run the moment it ends; when the whole grid is done, builds the beacon map and its plots.
/// </summary>
public sealed class BeaconsService : BackgroundService
{
    private readonly BeaconsOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<BeaconsService> _logger;

    /// <summary>Created by the host.</summary>
    public BeaconsService(IOptions<BeaconsOptions> options, IHostApplicationLifetime lifetime, ILogger<BeaconsService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Parses the grid from options; messages name the option.</summary>
    public static GridSpec ToGrid(BeaconsOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var grid = new GridSpec
        {
            Model = o.Model,
            Data = o.Data,
            BatchSizes = ParseList(o.BatchSizes, Flag(nameof(BeaconsOptions.BatchSizes)), s => int.Parse(s, CultureInfo.InvariantCulture)),
            LearningRates = ParseList(o.LearningRates, Flag(nameof(BeaconsOptions.LearningRates)), s => double.Parse(s, CultureInfo.InvariantCulture)),
            Seeds = ParseList(o.Seeds, Flag(nameof(BeaconsOptions.Seeds)), s => long.Parse(s, CultureInfo.InvariantCulture)),
            Epochs = o.Epochs,
            ProbeInterval = o.ProbeInterval,
            TrainSubset = o.TrainSubset,
            RankRule = o.RankRule,
            BothRankRules = o.BothRankRules,
        };
        try
        {
            grid.Validate();
        }
        catch (UserInputException e) when (GridOptions.TryGetValue(e.Input, out string? option))
        {
            // The grid names its fields as its JSON does; on the command line they are these options.
            throw e.Renamed(option);
        }

        return grid;
    }

    /// <summary>The beacons option for each field of <see cref="GridSpec"/> that its validation names.</summary>
    private static readonly Dictionary<string, string> GridOptions = new(StringComparer.Ordinal)
    {
        [GridSpec.ModelField] = Flag(nameof(BeaconsOptions.Model)),
        [GridSpec.BatchSizesField] = Flag(nameof(BeaconsOptions.BatchSizes)),
        [GridSpec.LearningRatesField] = Flag(nameof(BeaconsOptions.LearningRates)),
        [GridSpec.SeedsField] = Flag(nameof(BeaconsOptions.Seeds)),
        [GridSpec.EpochsField] = Flag(nameof(BeaconsOptions.Epochs)),
        [GridSpec.ProbeIntervalField] = Flag(nameof(BeaconsOptions.ProbeInterval)),
        [GridSpec.TrainSubsetField] = Flag(nameof(BeaconsOptions.TrainSubset)),
    };

    /// <summary>
    /// The options of <paramref name="key"/>'s child <c>train</c> process: the grid's model, data, epochs, probe
    /// interval and training subset, the run's batch size, α and seed, its work folder (continued from its checkpoint, if
    /// any), threads and device, ended with this process.
    /// </summary>
    public static TrainOptions ChildRun(GridSpec grid, RunKey key, string workFolder, string? dataPath, int threads, string device = EngineDevices.Cpu)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(key);
        return new TrainOptions
        {
            Model = grid.Model,
            Data = grid.Data,
            DataPath = dataPath,
            BatchSize = key.BatchSize,
            LearningRate = key.LearningRate,
            Seed = key.Seed,
            Epochs = grid.Epochs,
            ProbeInterval = grid.ProbeInterval,
            RankRule = grid.RankRule,
            BothRankRules = grid.BothRankRules,
            TrainSubset = grid.TrainSubset,
            Threads = threads,
            Device = device,
            Output = workFolder,
            Resume = true,
            ExitWithParent = Environment.ProcessId,
        };
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        VerbRunner.RunAsync("beacons", _logger, _lifetime, RunAsync, code => code, stoppingToken);

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        BeaconsOptions o = _options;
        GridSpec grid = ToGrid(o);
        string device = EngineDevices.Check(o.Device, "--device");
        CheckData(o, grid, device);
        Func<string, string> names = OptionRecord.Vocabulary(typeof(BeaconsOptions));
        Shard shard = o.Shard is not null ? Shard.Parse(o.Shard, names(Shard.ShardSetting))
            : o.ShardCount is { } count ? Shard.FromEnvironment(count, nameOf: names)
            : Shard.All;
        int parallel = o.Parallel ?? Math.Max(1, Environment.ProcessorCount / o.ThreadsPerRun);

        // The grid folder's one owner from here to the end: a second runner would redo this one's runs under it.
        using FolderLock owner = FolderLock.Acquire(o.Output, Flag(nameof(BeaconsOptions.Output)));
        if (!owner.Enforced)
        {
            Log.RunWarning(_logger, $"{Flag(nameof(BeaconsOptions.Output))}: the file system of '{o.Output}' does not enforce locks; a second process on this folder would not be refused.");
        }

        var store = new GridStore(o.Output, grid);
        store.ClaimShard(shard, names);
        var runner = new GridRunner(store, new ProcessRunExecutor(
            (spec, key, folder) => ["train", .. OptionRecord.Arguments(ChildRun(spec, key, folder, o.DataPath, o.ThreadsPerRun, device))]));
        IReadOnlyList<RunKey> pending = runner.Pending(shard);
        foreach (RunKey key in pending)
        {
            if (store.Problem(key) is { } problem)
            {
                Log.RunRedone(_logger, key.Id, problem);
            }
        }

        int total = grid.Runs().Count;
        Log.GridStarted(_logger, grid.Model, grid.Data.ToString(), total, shard.ToString(), pending.Count, parallel, o.ThreadsPerRun);
        int failures = 0;
        await runner.RunAsync(
            shard,
            parallel,
            run => Log.RunFinished(_logger, run.Id, run.FinalTestError, run.Epochs.Count == 0 ? 0 : run.Epochs[^1].CumulativeCondition, run.Epochs.Count == 0 ? 0 : run.Epochs[^1].CumulativeEnergy, run.Diverged, run.WallSeconds),
            (key, e) =>
            {
                failures++;
                Log.RunFailed(_logger, key.Id, e.Message);
            },
            (key, e) => Log.RunRestarted(_logger, key.Id, e.Message),
            cancellationToken).ConfigureAwait(false);
        if (failures > 0)
        {
            return ExitCodes.Failure;
        }

        IReadOnlyList<BeaconRun> finished = store.LoadFinished(out _);
        if (finished.Count == total && shard == Shard.All)
        {
            string mapPath = o.Map ?? Path.Combine(o.Output, "map.json");
            BeaconMap map = MapWriter.Write(grid, finished, mapPath, o.Map is null ? Flag(nameof(BeaconsOptions.Output)) : Flag(nameof(BeaconsOptions.Map)), Environment.CommandLine, o.ThreadsPerRun, parallel);
            Log.MapWritten(_logger, mapPath);
            await Console.Out.WriteAsync(RelationsSummary.Format(map)).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Loads the data set once before any child run starts, so that a missing or malformed file, a batch size larger
    /// than the training set or a model that cannot take the images is one clear error (exit 2) instead of every
    /// run of the grid failing the same way; nothing is written to the grid folder.
    /// </summary>
    private static void CheckData(BeaconsOptions o, GridSpec grid, string device)
    {
        (ImageDataSet train, _) = DataSetLoader.Load(o.Data, o.DataPath ?? DataSetLoader.DefaultFashionMnistDirectory);
        int count = o.TrainSubset is { } subset ? Math.Min(subset, train.Count) : train.Count;
        int largest = grid.BatchSizes.Max();
        if (largest > count)
        {
            throw new UserInputException(Flag(nameof(BeaconsOptions.BatchSizes)), $"{largest} is larger than the training set ({count} samples).");
        }

        var spec = ModelSpec.Parse(o.Model, new InputShape(train.Channels, train.Height, train.Width), o.Data.ClassCount());
        using ITrainingNetwork network = Engines.CreateNetwork(spec, SgdSettings.Paper, seed: 0, device);
    }

    private static T[] ParseList<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UserInputException(option, $"expected a comma-separated list of numbers, got '{text}'.", e);
        }
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(BeaconsOptions), property);
}
