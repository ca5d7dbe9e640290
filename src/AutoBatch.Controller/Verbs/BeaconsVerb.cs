using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>beacons</c> verb: a resumable, shardable grid of beacon runs and its map.</summary>
public static class BeaconsVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model (default mlp)" };
        var data = new Option<DataSetKind?>("--data") { Description = "Data set (default FashionMnist)" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the data files" };
        var batches = new Option<string?>("--batch-sizes") { Description = "Comma-separated batch sizes (default 8,16,32,64,128,256,512)" };
        var rates = new Option<string?>("--learning-rates") { Description = "Comma-separated learning rates (default 0.025,0.05,0.1,0.2,0.4)" };
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds (default 1,2)" };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Epochs per run (default 15)" };
        var interval = new Option<int?>("--probe-interval") { Description = "Measure every N iterations (default 50)" };
        var rankRule = new Option<RankRule?>("--rank-rule") { Description = "Which eigenvalues of F̃ count in c_k: Tolerance (default) or Reference" };
        var bothRules = new Option<bool?>("--both-rank-rules") { Description = "Apply both rank rules at every probe, so that `merge --rank-rule` can build the map under either" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on a fixed random subset of N images (default: all)" };
        var threads = new Option<int?>("--threads-per-run") { Description = "libtorch threads per run (default 1)" };
        var device = new Option<string?>("--device") { Description = "Device of every run: cpu (default) or cuda[:N] (cuda needs AUTOBATCH_ENGINE=torchsharp and a CUDA LibTorch)" };
        var parallel = new Option<int?>("--parallel") { Description = "Runs at once (default: cores / threads per run)" };
        var output = new Option<string?>("--output", "-o") { Description = "Grid folder (default runs/beacons); rerun with the same options to resume" };
        var shard = new Option<string?>("--shard") { Description = "Run only shard i/n (array jobs); merge the shards with `merge`" };
        var shardCount = new Option<int?>("--shard-count") { Description = "Shard count, index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX" };
        var map = new Option<string?>("--map") { Description = "Map file to write when the grid is complete (default <output>/map.json)" };
        var command = new Command("beacons", "Run a beacon grid (batch sizes x learning rates x seeds) and build its map")
        {
            model, data, dataPath, batches, rates, seeds, epochs, interval, rankRule, bothRules, subset, threads, device, parallel, output, shard, shardCount, map,
        };
        command.SetAction((result, token) =>
        {
            var overrides = new ConfigurationOverrides(BeaconsOptions.SectionName);

            overrides.Set(nameof(BeaconsOptions.Model), result.GetValue(model));
            overrides.Set(nameof(BeaconsOptions.Data), result.GetValue(data));
            overrides.Set(nameof(BeaconsOptions.DataPath), result.GetValue(dataPath));
            overrides.Set(nameof(BeaconsOptions.BatchSizes), result.GetValue(batches));
            overrides.Set(nameof(BeaconsOptions.LearningRates), result.GetValue(rates));
            overrides.Set(nameof(BeaconsOptions.Seeds), result.GetValue(seeds));
            overrides.Set(nameof(BeaconsOptions.Epochs), result.GetValue(epochs));
            overrides.Set(nameof(BeaconsOptions.ProbeInterval), result.GetValue(interval));
            overrides.Set(nameof(BeaconsOptions.RankRule), result.GetValue(rankRule));
            overrides.Set(nameof(BeaconsOptions.BothRankRules), result.GetValue(bothRules));
            overrides.Set(nameof(BeaconsOptions.TrainSubset), result.GetValue(subset));
            overrides.Set(nameof(BeaconsOptions.ThreadsPerRun), result.GetValue(threads));
            overrides.Set(nameof(BeaconsOptions.Device), result.GetValue(device));
            overrides.Set(nameof(BeaconsOptions.Parallel), result.GetValue(parallel));
            overrides.Set(nameof(BeaconsOptions.Output), result.GetValue(output));
            overrides.Set(nameof(BeaconsOptions.Shard), result.GetValue(shard));
            overrides.Set(nameof(BeaconsOptions.ShardCount), result.GetValue(shardCount));
            overrides.Set(nameof(BeaconsOptions.Map), result.GetValue(map));
            return VerbHost.RunAsync<BeaconsOptions, BeaconsService>(
                BeaconsOptions.SectionName,
                overrides.Values,
                token,
                services => services.AddSingleton<IValidateOptions<BeaconsOptions>, BeaconsOptionsValidator>());
        });
        return command;
    }
}
