using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>run</c> verb: the main job, a run steered by a schedule (default: the closed loop over a beacon map).</summary>
public static class RunVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var map = new Option<string?>("--map") { Description = $"Beacon map (default {RunOptions.DefaultMap})" };
        var schedule = new Option<string?>("--schedule", "-s") { Description = "closed-loop (default), noise-scale, best, sB (fixed), sA-to-B, sA-to-B-MS" };
        var model = new Option<string?>("--model", "-m") { Description = "Model (default: the map's)" };
        var data = new Option<DataSetKind?>("--data") { Description = "Data set (default: the map's)" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the data files (default /usr/share/datasets/fashion-mnist)" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on a fixed random subset (default: the map's grid's)" };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Epochs (default: the map's)" };
        var interval = new Option<int?>("--probe-interval") { Description = "Probe interval (default: the map's)" };
        var batch = new Option<int?>("--batch-size", "-b") { Description = "Initial batch size (default: the schedule's, or the map's best beacon's)" };
        var lr = new Option<double?>("--lr") { Description = "Initial learning rate (default: the map's best beacon's)" };
        var rule = new Option<LearningRateRule?>("--lr-rule") { Description = "α on a batch change: Keep (default), Linear, SquareRoot" };
        var minBatch = new Option<int?>("--min-batch-size") { Description = "Smallest batch size for adaptive policies (default 16)" };
        var maxBatch = new Option<int?>("--max-batch-size") { Description = "Largest batch size for adaptive policies (default 512)" };
        var dwell = new Option<int?>("--dwell") { Description = "Epochs between two batch-size changes (default 1)" };
        var lastPhase = new Option<bool>("--allow-last-phase-changes") { Description = "Let adaptive policies change B in the last LR phase" };
        var tolerance = new Option<double?>("--error-tolerance") { Description = "Closed loop: error tolerance δ as a fraction (default: the map's seed std)" };
        var seed = new Option<long?>("--seed") { Description = "Seed (default 1)" };
        var background = new Option<bool?>("--probe-background") { Description = "Measure F̃ on a second thread while training goes on (default: true unless --threads exceeds the core count)" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default 1)" };
        var output = new Option<string?>("--output", "-o") { Description = "Output folder (default runs/run)" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Checkpoint every N epochs (default 1)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the output folder's checkpoint, if any" };
        var rollback = new Option<bool?>("--rollback") { Description = "Roll back and halve α on divergence (default: on for adaptive policies)" };
        var parent = new Option<int?>("--exit-with-parent") { Hidden = true };
        var command = new Command("run", "Train with a schedule; by default the closed-loop controller steered by a beacon map")
        {
            map, schedule, model, data, dataPath, subset, epochs, interval, background, batch, lr, rule, minBatch, maxBatch, dwell, lastPhase, tolerance, seed,
            threads, output, checkpointEvery, resume, rollback, parent,
        };
        command.SetAction((result, token) =>
        {
            var o = new ConfigurationOverrides(RunOptions.SectionName);
            o.Set(nameof(RunOptions.Map), result.GetValue(map));
            o.Set(nameof(RunOptions.Schedule), result.GetValue(schedule));
            o.Set(nameof(RunOptions.Model), result.GetValue(model));
            o.Set(nameof(RunOptions.Data), result.GetValue(data));
            o.Set(nameof(RunOptions.DataPath), result.GetValue(dataPath));
            o.Set(nameof(RunOptions.TrainSubset), result.GetValue(subset));
            o.Set(nameof(RunOptions.Epochs), result.GetValue(epochs));
            o.Set(nameof(RunOptions.ProbeInterval), result.GetValue(interval));
            o.Set(nameof(RunOptions.ProbeBackground), result.GetValue(background));
            o.Set(nameof(RunOptions.BatchSize), result.GetValue(batch));
            o.Set(nameof(RunOptions.LearningRate), result.GetValue(lr));
            o.Set(nameof(RunOptions.LearningRateRule), result.GetValue(rule));
            o.Set(nameof(RunOptions.MinBatchSize), result.GetValue(minBatch));
            o.Set(nameof(RunOptions.MaxBatchSize), result.GetValue(maxBatch));
            o.Set(nameof(RunOptions.DwellEpochs), result.GetValue(dwell));
            o.Set(nameof(RunOptions.ErrorTolerance), result.GetValue(tolerance));
            o.Set(nameof(RunOptions.Seed), result.GetValue(seed));
            o.Set(nameof(RunOptions.Threads), result.GetValue(threads));
            o.Set(nameof(RunOptions.Output), result.GetValue(output));
            o.Set(nameof(RunOptions.CheckpointEvery), result.GetValue(checkpointEvery));
            o.Set(nameof(RunOptions.Rollback), result.GetValue(rollback));
            o.Set(nameof(RunOptions.ExitWithParent), result.GetValue(parent));
            if (result.GetValue(lastPhase))
            {
                o.Set(nameof(RunOptions.AllowLastPhaseChanges), true);
            }

            if (result.GetValue(resume))
            {
                o.Set(nameof(RunOptions.Resume), true);
            }

            return VerbHost.RunAsync<RunOptions, RunService>(
                RunOptions.SectionName,
                o.Values,
                token,
                services => services.AddSingleton<IValidateOptions<RunOptions>, RunOptionsValidator>());
        });
        return command;
    }
}
