using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>compare</c> verb: schedules x seeds as parallel, resumable child runs, then the report.</summary>
public static class CompareVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var map = new Option<string?>("--map") { Description = $"Beacon map (default {RunOptions.DefaultMap})" };
        var schedules = new Option<string?>("--schedules") { Description = $"Comma-separated schedules (default {CompareOptions.DefaultSchedules})" };
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds (default 1,2,3)" };
        var parallel = new Option<int?>("--parallel") { Description = "Runs at once (default 2)" };
        var threads = new Option<int?>("--threads-per-run") { Description = "libtorch threads per run (default 1)" };
        var device = new Option<string?>("--device") { Description = "Device of every run: cpu (default) or cuda[:N] (cuda needs AUTOBATCH_ENGINE=torchsharp and a CUDA LibTorch)" };
        var output = new Option<string?>("--output", "-o") { Description = "Comparison folder (default runs/compare); rerun with the same options to resume" };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Epochs per run (default: the map's)" };
        var subset = new Option<int?>("--train-subset") { Description = "Train on a fixed random subset (default: the map's grid's)" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the data files" };
        var rule = new Option<LearningRateRule?>("--lr-rule") { Description = "α on a batch change: Keep (default), Linear, SquareRoot" };
        var command = new Command("compare", "Run schedules x seeds (parallel, resumable) and write the comparison report")
        {
            map, schedules, seeds, parallel, threads, device, output, epochs, subset, dataPath, rule,
        };
        command.SetAction((result, token) =>
        {
            var o = new ConfigurationOverrides(CompareOptions.SectionName);
            o.Set(nameof(CompareOptions.Map), result.GetValue(map));
            o.Set(nameof(CompareOptions.Schedules), result.GetValue(schedules));
            o.Set(nameof(CompareOptions.Seeds), result.GetValue(seeds));
            o.Set(nameof(CompareOptions.Parallel), result.GetValue(parallel));
            o.Set(nameof(CompareOptions.ThreadsPerRun), result.GetValue(threads));
            o.Set(nameof(CompareOptions.Device), result.GetValue(device));
            o.Set(nameof(CompareOptions.Output), result.GetValue(output));
            o.Set(nameof(CompareOptions.Epochs), result.GetValue(epochs));
            o.Set(nameof(CompareOptions.TrainSubset), result.GetValue(subset));
            o.Set(nameof(CompareOptions.DataPath), result.GetValue(dataPath));
            o.Set(nameof(CompareOptions.LearningRateRule), result.GetValue(rule));
            return VerbHost.RunAsync<CompareOptions, CompareService>(
                CompareOptions.SectionName,
                o.Values,
                token,
                services => services.AddSingleton<IValidateOptions<CompareOptions>, CompareOptionsValidator>());
        });
        return command;
    }
}
