using System.Diagnostics;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Runs a beacon run of a user's model in this process: the factory builds the module after TorchSharp's generator is
/// seeded with the run's seed, and a <see cref="RunSession"/> trains it at a fixed batch size, as the command line's
/// <c>train</c> does for a built-in model in a child process.
/// </summary>
internal sealed class InProcessRunExecutor(
    Func<nn.Module<Tensor, Tensor>> factory, string name, LabelledData train, LabelledData test, string device, int threads) : IRunExecutor
{
    public Task<BeaconRun> ExecuteAsync(GridSpec grid, RunKey key, string workFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(key);
        var clock = Stopwatch.StartNew();
        random.manual_seed(key.Seed);
        using nn.Module<Tensor, Tensor> model = factory();
        UserModel described = UserModel.Describe(model, name, train.Shape, device, nameof(BeaconGrid));
        if (described.Name != grid.Model)
        {
            throw new InvalidOperationException(
                $"The model factory built {described.Name} for run {key.Id}, but the grid is of {grid.Model}: a grid describes one architecture.");
        }

        var settings = new RunSettings
        {
            Model = grid.Model,
            Data = grid.Data,
            BatchSize = key.BatchSize,
            LearningRate = key.LearningRate,
            Epochs = grid.Epochs,
            Seed = key.Seed,
            Threads = threads,
            ProbeInterval = grid.ProbeInterval,
            RankRule = grid.RankRule,
            BothRankRules = grid.BothRankRules,
            Output = workFolder,
            Command = $"{nameof(BeaconGrid)} ({grid.Model}, run {key.Id})",
        };
        var workload = new RunWorkload
        {
            Train = train.Source,
            Test = test.Source,
            CreateNetwork = () => described.Network(model, name),
            TrainingSet = train.TrainingSet,
            Augmentation = train.Augmentation,
        };
        RunSummary summary = new RunSession(settings, new FixedPolicy(key.BatchSize), null, workload).Execute(null, cancellationToken);
        IReadOnlyList<Engine.Training.EpochRecord> epochs = EpochLog.Read(Path.Combine(workFolder, "epochs.jsonl"));
        return Task.FromResult(new BeaconRun
        {
            Id = key.Id,
            BatchSize = key.BatchSize,
            LearningRate = key.LearningRate,
            Seed = key.Seed,
            Diverged = summary.Diverged || epochs.Any(e => e.Diverged),
            WallSeconds = clock.Elapsed.TotalSeconds,
            Epochs = epochs,
        });
    }
}
