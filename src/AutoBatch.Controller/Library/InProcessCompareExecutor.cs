using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Policies;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Runs a comparison run of a user's model in this process: the factory builds the module after TorchSharp's generator
/// is seeded with the run's seed, and the run is an <see cref="AutoBatchTrainer"/> run of that module under the run's
/// schedule, resuming from the run folder's checkpoint when there is one (as the command line's <c>compare</c> starts
/// its child <c>run</c>s with <c>--resume</c>).
/// </summary>
internal sealed class InProcessCompareExecutor(
    Func<nn.Module<Tensor, Tensor>> factory, string name, string modelName, LabelledData train, LabelledData test, string device, int threads)
    : ICompareRunExecutor
{
    public Task ExecuteAsync(CompareSpec spec, CompareRun run, string folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(run);
        random.manual_seed(run.Seed);
        using nn.Module<Tensor, Tensor> model = factory();
        UserModel described = UserModel.Describe(model, name, train.Shape, device, nameof(ScheduleComparison));
        if (described.Name != modelName)
        {
            throw new InvalidOperationException(
                $"The model factory built {described.Name} for run {run.Id}, but the comparison is of {modelName}: a comparison trains one architecture.");
        }

        var options = new AutoBatchOptions
        {
            OutputFolder = folder,
            Schedule = Schedule.Parse(run.Schedule.Name),
            BeaconMap = spec.Map,
            Epochs = spec.Epochs,
            LearningRateRule = spec.LearningRateRule ?? LearningRateRule.Keep,
            Seed = run.Seed,
            Device = device,
            Threads = threads,
            Resume = true,
        };
        AutoBatchTrainer.Train(
            model, name, described, train, test, options, $"{nameof(ScheduleComparison)} ({modelName}, run {run.Id})", null, cancellationToken);
        return Task.CompletedTask;
    }
}
