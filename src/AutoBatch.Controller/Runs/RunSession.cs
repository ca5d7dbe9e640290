using System.Globalization;
using AutoBatch.Beacons.Grid;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine;
using AutoBatch.Engine.Checkpoints;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Runs;

/// <summary>
/// One training run under a batch-size policy, with everything that makes it safe to run for hours
/// (docs/RELIABILITY.md): a checkpoint (network, momentum, generators, position in the epoch, measures, policy state)
/// written atomically every <see cref="RunSettings.CheckpointEvery"/> epochs and on a graceful stop; <c>--resume</c>
/// continues from it to the same result; on divergence, optionally a rollback to the last checkpoint with a lower α.
/// Outputs: epochs.jsonl/.csv, decisions.jsonl, checkpoint.safetensors and, at the end, summary.json.
/// </summary>
public sealed class RunSession
{
    /// <summary>File name of the checkpoint in the output folder.</summary>
    public const string CheckpointName = "checkpoint.safetensors";

    /// <summary>File name of the summary in the output folder.</summary>
    public const string SummaryName = "summary.json";

    private const string RollbacksKey = "autobatch.rollbacks";
    private const string CommandKey = "autobatch.command";

    private readonly RunSettings _settings;
    private readonly IBatchPolicy _policy;
    private readonly MapModel? _map;
    private readonly RunWorkload? _workload;

    /// <summary>Creates the session; nothing runs until <see cref="Execute"/>.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="policy">The batch-size policy.</param>
    /// <param name="map">The beacon map the run is steered or compared with, if any.</param>
    /// <param name="workload">
    /// The network and data to train (the library's user model and samples); null takes the built-in model and data set
    /// that <paramref name="settings"/> name.
    /// </param>
    public RunSession(RunSettings settings, IBatchPolicy policy, MapModel? map = null, RunWorkload? workload = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        if (map is not null && map.Map.Grid.RankRule != settings.RankRule)
        {
            // The options are resolved against the map before a session exists (MapCompatibility.EnsureRankRule).
            throw new InvalidOperationException($"The map was measured under the {map.Map.Grid.RankRule} rank rule, the run under {settings.RankRule}.");
        }

        _settings = settings;
        _policy = policy;
        _map = map;
        _workload = workload;
    }

    /// <summary>Path of the checkpoint.</summary>
    public string CheckpointPath => Path.Combine(_settings.Output, CheckpointName);

    /// <summary>True when the run continued from a checkpoint.</summary>
    public bool Resumed { get; private set; }

    /// <summary>
    /// Trains to the end (or until cancelled: then a checkpoint is written and <see cref="OperationCanceledException"/>
    /// propagates) and returns the summary, which is also written to summary.json.
    /// </summary>
    public RunSummary Execute(IRunView? view = null, CancellationToken cancellationToken = default)
    {
        RunSettings s = _settings;
        OutputPaths.CheckFolder(s.Output, s.NameOf(nameof(RunSettings.Output)));
        Engines.SetThreads(s.Threads);
        RunWorkload work = _workload ?? BuiltIn(s);
        if (s.BatchSize > work.Train.Count)
        {
            throw new UserInputException(s.NameOf(nameof(RunSettings.BatchSize)), $"{s.BatchSize} is larger than the training set ({work.Train.Count} samples).");
        }

        if (s.ProbeInterval > 0)
        {
            ProbeSettings.CheckMemory(s.BatchSize, s.NameOf(nameof(RunSettings.BatchSize)));
        }

        using ITrainingNetwork network = work.CreateNetwork();
        var trainer = new Trainer(
            network,
            work.Train,
            work.Test,
            new TrainerOptions
            {
                Epochs = s.Epochs,
                Seed = s.Seed,
                Probe = s.ProbeInterval == 0
                    ? null
                    : new ProbeSettings { Interval = s.ProbeInterval, Background = s.ProbeInBackground, RankRule = s.RankRule, BothRankRules = s.BothRankRules },
            });

        SortedDictionary<string, string> identity = RunIdentity.Of(s, _policy, work.TrainingSet, work.Augmentation);

        // The folder's one owner from here to the end, taken before anything in it is read or written (the input
        // checks above touch nothing there, so a refused run leaves no folder behind).
        using FolderLock owner = FolderLock.Acquire(s.Output, s.NameOf(nameof(RunSettings.Output)), s.OutputLockWait);
        if (!owner.Enforced)
        {
            view?.Warning($"{s.NameOf(nameof(RunSettings.Output))}: the file system of '{s.Output}' does not enforce locks; a second process on this folder would not be refused.");
        }

        DecisionLog? decisions = null;
        var planner = new PolicyPlanner(
            _policy, new StepDecaySchedule(s.LearningRate, s.Epochs), s.BatchSize, s.Rule, s.ProbeInterval, d =>
            {
                decisions!.Append(d);
                view?.Decision(d);
            });

        int rollbacks = 0;
        int? keepEpochs = null;
        long? keepIteration = null;
        if (s.Resume && File.Exists(CheckpointPath))
        {
            Checkpoint checkpoint = CheckpointFile.Load(CheckpointPath, network);
            try
            {
                RunIdentity.Check(checkpoint.Metadata, identity, s.NameOf);
                trainer.RestoreState(checkpoint.Trainer);
                planner.RestoreState(checkpoint.Planner ?? throw new InvalidDataException("the checkpoint has no planner state."));
            }
            catch (InvalidDataException e)
            {
                throw new UserInputException(CheckpointPath, $"{e.Message} Start afresh without {s.NameOf(nameof(RunSettings.Resume))}, or use another {s.NameOf(nameof(RunSettings.Output))}.", e);
            }

            rollbacks = checkpoint.Metadata.TryGetValue(RollbacksKey, out string? r) ? int.Parse(r, CultureInfo.InvariantCulture) : 0;
            keepEpochs = checkpoint.Trainer.Epoch;
            keepIteration = checkpoint.Trainer.Measures.Iterations;
            Resumed = true;
        }
        else
        {
            // A fresh run in a folder of an earlier one: its checkpoint must not be resumed into this run's logs, and
            // its summary must not stand for this run while it runs or if it stops early (CompareRunner.IsFinished
            // trusts a summary).
            File.Delete(CheckpointPath);
            File.Delete(Path.Combine(s.Output, SummaryName));
        }

        using var epochLog = new EpochLog(s.Output, keepEpochs);
        using (decisions = new DecisionLog(s.Output, keepIteration))
        {
            if (!Resumed || !File.Exists(CheckpointPath))
            {
                // The rollback target before the first epoch ends.
                Save(network, trainer, planner, rollbacks, identity);
            }

            try
            {
                while (trainer.Epoch < s.Epochs && !trainer.Diverged)
                {
                    EpochRecord record = trainer.RunEpoch(planner, view is null ? null : view.StepDone, cancellationToken);
                    if (record.Diverged && s.RollbackOnDivergence && rollbacks < s.MaxRollbacks)
                    {
                        rollbacks++;
                        Checkpoint checkpoint = CheckpointFile.Load(CheckpointPath, network);
                        trainer.RestoreState(checkpoint.Trainer);
                        planner.RestoreState(checkpoint.Planner!);
                        TrainerState at = checkpoint.Trainer;
                        planner.CutLearningRate(
                            s.DivergenceCut,
                            new TrainingProgress(at.Epoch, s.Epochs, 1, at.Measures.Iterations, at.InProgress?.Position ?? 0, work.Train.Count, 0, 0),
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"non-finite step in epoch {record.Epoch}: rolled back to the checkpoint after {at.Measures.Iterations} iterations (rollback {rollbacks} of {s.MaxRollbacks}), α x {s.DivergenceCut}"));
                        Save(network, trainer, planner, rollbacks, identity);
                        continue;
                    }

                    epochLog.Append(record);
                    planner.EpochCompleted(record);
                    view?.Epoch(record, Distance(record));
                    bool last = trainer.Epoch == s.Epochs || record.Diverged;
                    // With rollbacks on, every epoch is checkpointed: a rollback then never re-runs an epoch already logged.
                    int every = s.RollbackOnDivergence ? 1 : s.CheckpointEvery;
                    if (last || (every > 0 && record.Epoch % every == 0))
                    {
                        Save(network, trainer, planner, rollbacks, identity);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Graceful stop at a step boundary: the checkpoint holds the partial epoch, a resumed run continues it.
                Save(network, trainer, planner, rollbacks, identity);
                throw;
            }
        }

        RunSummary summary = Summarise(epochLog.Records, trainer, planner, rollbacks, work.Train.Count);
        AtomicFile.WriteAllText(Path.Combine(s.Output, SummaryName), System.Text.Json.JsonSerializer.Serialize(summary, SummaryJson));
        return summary;
    }

    /// <summary>JSON settings of summary.json (indented camelCase).</summary>
    public static System.Text.Json.JsonSerializerOptions SummaryJson { get; } =
        new(EpochLog.Json) { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Reads a summary.json.</summary>
    /// <exception cref="InvalidDataException">The file is not a run summary; the message names it.</exception>
    public static RunSummary ReadSummary(string path)
    {
        try
        {
            RunSummary summary = System.Text.Json.JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), SummaryJson)
                ?? throw new UserInputException(path, $"empty run summary.");
            // Values no run writes: an edited or damaged file, which would otherwise enter a comparison's means.
            string? problem = summary.FinalTestError is < 0 or > 1 || double.IsNaN(summary.FinalTestError)
                    ? $"finalTestError is {summary.FinalTestError}, expected an error rate in [0, 1]"
                : summary.Iterations < 0 ? $"iterations is {summary.Iterations}, expected >= 0"
                : summary.Epochs < 0 ? $"epochs is {summary.Epochs}, expected >= 0"
                : summary.TrainSeconds < 0 ? $"trainSeconds is {summary.TrainSeconds}, expected >= 0"
                : null;
            return problem is null ? summary : throw new UserInputException(path, $"not a valid run summary: {problem}.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UserInputException(path, $"not a run summary: {e.Message}", e);
        }
    }

    // The built-in model and data set the settings name: the command line's runs.
    private static RunWorkload BuiltIn(RunSettings s)
    {
        (ImageDataSet train, ImageDataSet test) = DataSetLoader.Load(s.Data, s.DataPath ?? DataSetLoader.DefaultFashionMnistDirectory);
        if (s.TrainSubset is { } subset)
        {
            if (subset > train.Count)
            {
                throw new UserInputException(
                    s.NameOf(nameof(RunSettings.TrainSubset)), $"{subset} is larger than the training set ({train.Count} images); leave it out to train on all of them.");
            }

            train = train.Subset(subset, seed: 0);
        }

        var spec = ModelSpec.Parse(s.Model, new InputShape(train.Channels, train.Height, train.Width), s.Data.ClassCount());
        var normalisation = ChannelNormalisation.FromData(train);
        AugmentationKind augmentation = s.NoAugmentation || spec.Kind == ModelKind.Mlp ? AugmentationKind.None : s.Data.DefaultAugmentation();
        return new RunWorkload
        {
            Train = new BatchAssembler(train, normalisation, augmentation),
            Test = new BatchAssembler(test, normalisation, AugmentationKind.None),
            CreateNetwork = () => Engines.CreateNetwork(spec, SgdSettings.Paper, s.Seed, s.Device),
            TrainingSet = RunIdentity.TrainingSet(train),
            Augmentation = augmentation,
        };
    }

    private double? Distance(EpochRecord record)
    {
        if (_map is null || !(record.CumulativeCondition > 0 && record.CumulativeEnergy > 0))
        {
            return null;
        }

        int mapEpoch = _map.Surfaces.MapEpoch(record.Epoch, _settings.Epochs);
        return _map.Surfaces.At(mapEpoch) is { } at ? at.Region.DistanceToRegion(record.CumulativeCondition, record.CumulativeEnergy) : null;
    }

    private void Save(ITrainingNetwork network, Trainer trainer, PolicyPlanner planner, int rollbacks, SortedDictionary<string, string> identity)
    {
        var metadata = new Dictionary<string, string>
        {
            [RollbacksKey] = rollbacks.ToString(CultureInfo.InvariantCulture),
            [RunIdentity.MetadataKey] = RunIdentity.ToJson(identity),
        };
        if (_settings.Command is { } command)
        {
            metadata[CommandKey] = command;
        }

        CheckpointFile.Save(CheckpointPath, network, trainer.CaptureState(), planner.SaveState(), metadata);
    }

    private RunSummary Summarise(IReadOnlyList<EpochRecord> records, Trainer trainer, PolicyPlanner planner, int rollbacks, int epochSize)
    {
        EpochRecord? last = records.Count == 0 ? null : records[^1];
        double trainSeconds = records.Sum(r => r.TrainSeconds);
        long samples = records.Sum(r => (long)Math.Round(r.MeanBatchSize * r.Iterations));
        return new RunSummary
        {
            Policy = _policy.Name,
            Model = _settings.Model,
            Data = _settings.Data,
            Seed = _settings.Seed,
            Epochs = records.Count,
            EpochSize = epochSize,
            InitialBatchSize = _settings.BatchSize,
            LearningRate = _settings.LearningRate,
            StartReason = _settings.StartReason,
            Rule = _settings.Rule,
            Completed = records.Count == _settings.Epochs,
            Diverged = trainer.Diverged,
            Rollbacks = rollbacks,
            FinalTestError = last?.TestError ?? 1,
            FinalTestLoss = last?.TestLoss ?? double.MaxValue,
            Iterations = last?.TotalIterations ?? 0,
            BatchSizeChanges = planner.Changes,
            TrainSeconds = trainSeconds,
            TrainCpuSeconds = records.Sum(r => r.TrainCpuSeconds),
            ProbeSeconds = records.Sum(r => r.ProbeSeconds),
            EvalSeconds = records.Sum(r => r.EvalSeconds),
            SamplesPerSecond = trainSeconds > 0 ? samples / trainSeconds : 0,
            CumulativeCondition = last?.CumulativeCondition ?? 0,
            CumulativeEnergy = last?.CumulativeEnergy ?? 0,
            DistanceToRegion = last is null ? null : Distance(last),
            Map = _settings.MapPath,
            Command = _settings.Command,
            Machine = GridRuns.MachineInfo.Describe(),
            Engine = Engines.Describe(),
            Device = _settings.Device,
        };
    }
}
