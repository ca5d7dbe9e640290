using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>train</c> verb: a single fixed-schedule run.</summary>
public static class TrainVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G (default mlp)" };
        var data = new Option<DataSetKind?>("--data") { Description = "Data set: FashionMnist (default), Mnist, Cifar10, Cifar100, Svhn" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the data files (default /usr/share/datasets/fashion-mnist)" };
        var batch = new Option<int?>("--batch-size", "-b") { Description = "Mini-batch size (default 128)" };
        var lr = new Option<double?>("--lr") { Description = "Initial learning rate, decayed x0.1 at 50% and 75% of the epochs (default 0.05)" };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Epochs (default 10)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of weights, data order and augmentation (default 1)" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default 1; OpenBLAS always uses 1)" };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder for epochs.jsonl and epochs.csv (default runs/train)" };
        var interval = new Option<int?>("--probe-interval") { Description = "Measure F̃ every N iterations (default 50; 0 = off)" };
        var background = new Option<bool?>("--probe-background") { Description = "Measure F̃ on a second thread while training goes on (default: true unless --threads exceeds the core count)" };
        var noAugmentation = new Option<bool>("--no-augmentation") { Description = "Train without the paper's augmentation" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on a fixed random subset of this many images (default: all)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in the output folder, if there is one" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Write a checkpoint every N epochs (default 1; 0 = only on Ctrl-C)" };
        var parent = new Option<int?>("--exit-with-parent") { Description = "Stop when the process with this id ends (used by grid runners)", Hidden = true };
        var command = new Command("train", "Train one configuration with a fixed batch size and step-decayed learning rate")
        {
            model, data, dataPath, batch, lr, epochs, seed, threads, output, interval, background, noAugmentation, subset, resume, checkpointEvery, parent,
        };
        command.SetAction((result, token) =>
        {
            var overrides = new ConfigurationOverrides(TrainOptions.SectionName);

            overrides.Set(nameof(TrainOptions.Model), result.GetValue(model));
            overrides.Set(nameof(TrainOptions.Data), result.GetValue(data));
            overrides.Set(nameof(TrainOptions.DataPath), result.GetValue(dataPath));
            overrides.Set(nameof(TrainOptions.BatchSize), result.GetValue(batch));
            overrides.Set(nameof(TrainOptions.LearningRate), result.GetValue(lr));
            overrides.Set(nameof(TrainOptions.Epochs), result.GetValue(epochs));
            overrides.Set(nameof(TrainOptions.Seed), result.GetValue(seed));
            overrides.Set(nameof(TrainOptions.Threads), result.GetValue(threads));
            overrides.Set(nameof(TrainOptions.Output), result.GetValue(output));
            overrides.Set(nameof(TrainOptions.ProbeInterval), result.GetValue(interval));
            overrides.Set(nameof(TrainOptions.ProbeBackground), result.GetValue(background));
            overrides.Set(nameof(TrainOptions.TrainSubset), result.GetValue(subset));
            overrides.Set(nameof(TrainOptions.ExitWithParent), result.GetValue(parent));
            overrides.Set(nameof(TrainOptions.CheckpointEvery), result.GetValue(checkpointEvery));
            if (result.GetValue(resume))
            {
                overrides.Set(nameof(TrainOptions.Resume), true);
            }

            if (result.GetValue(noAugmentation))
            {
                overrides.Set(nameof(TrainOptions.NoAugmentation), true);
            }

            return VerbHost.RunAsync<TrainOptions, TrainService>(
                TrainOptions.SectionName,
                overrides.Values,
                token,
                services => services.AddSingleton<IValidateOptions<TrainOptions>, TrainOptionsValidator>());
        });
        return command;
    }
}
