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
/// <c>train</c> does for a built-in model in a child process, continuing from the checkpoint in its work folder if there
/// is one.
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
            Device = described.DeviceName,
            ProbeInterval = grid.ProbeInterval,
            RankRule = grid.RankRule,
            BothRankRules = grid.BothRankRules,
            Output = workFolder,
            Resume = true,
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
        string log = Path.Combine(workFolder, "epochs.jsonl");
        IReadOnlyList<Engine.Training.EpochRecord> before = File.Exists(log) ? EpochLog.Read(log) : [];
        RunSummary summary = new RunSession(settings, new FixedPolicy(key.BatchSize), null, workload).Execute(null, cancellationToken);
        return Task.FromResult(RunClock.Finish(key, summary.Diverged, before, EpochLog.Read(log), clock.Elapsed));
    }
}
