using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs;

/// <summary>The <c>measure</c> verb: the spectrum of F̃ and the Fisher measures of one batch for given weights, as JSON.</summary>
public static class MeasureVerb
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model of the weights: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G (default mlp)" };
        var data = new Option<DataSetKind?>("--data") { Description = "Data set: FashionMnist (default), Mnist, Cifar10, Cifar100, Svhn" };
        var dataPath = new Option<string?>("--data-path") { Description = "Folder with the data files (default /usr/share/datasets/fashion-mnist)" };
        var weights = new Option<string?>("--weights", "-w") { Description = "Safetensors weights file (default: the initial weights drawn from --seed)" };
        var indices = new Option<string?>("--indices") { Description = "The batch as distinct training-set indices, e.g. 1,5,9 (default: drawn with --seed and --batch-size)" };
        var batch = new Option<int?>("--batch-size", "-b") { Description = "Size of the batch drawn from --seed when --indices is not given (default 128)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the drawn batch, the augmentation and, without --weights, the weights (default 1)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate α in l = (α/B)·sqrt(Tr F̃) (default 0.05)" };
        var bnMode = new Option<BatchNormMode?>("--bn-mode") { Description = "BatchNorm statistics: train (batch, default) or eval (running)" };
        var gramMode = new Option<GramMode?>("--gram-mode") { Description = "Gram path per layer: auto (default), ghost or materialise" };
        var rankTolerance = new Option<double?>("--rank-tolerance") { Description = "Rank tolerance relative to σ_max, in (0, 1) (default B·ε_float32)" };
        var rankRule = new Option<RankRule?>("--rank-rule") { Description = "Rank rule of the reported rank and c: Tolerance (default) or Reference; the other rule's are reported too" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default 1; OpenBLAS always uses 1)" };
        var device = new Option<string?>("--device") { Description = "Device: cpu (default) or cuda[:N] (cuda needs AUTOBATCH_ENGINE=torchsharp and a CUDA LibTorch)" };
        var augment = new Option<bool>("--augment") { Description = "Apply the data set's training augmentation (default: plain normalised images)" };
        var gram = new Option<bool>("--gram") { Description = "Also print F̃ itself (B rows of B entries), e.g. for tools/check_measure.py" };
        var command = new Command("measure", "Measure F̃'s spectrum, c, l, per-layer traces and the noise scale on one batch; prints JSON")
        {
            model, data, dataPath, weights, indices, batch, seed, lr, bnMode, gramMode, rankTolerance, rankRule, threads, device, augment, gram,
        };
        command.SetAction((result, token) =>
        {
            var overrides = new ConfigurationOverrides(MeasureOptions.SectionName);

            overrides.Set(nameof(MeasureOptions.Model), result.GetValue(model));
            overrides.Set(nameof(MeasureOptions.Data), result.GetValue(data));
            overrides.Set(nameof(MeasureOptions.DataPath), result.GetValue(dataPath));
            overrides.Set(nameof(MeasureOptions.Weights), result.GetValue(weights));
            overrides.Set(nameof(MeasureOptions.Indices), result.GetValue(indices));
            overrides.Set(nameof(MeasureOptions.BatchSize), result.GetValue(batch));
            overrides.Set(nameof(MeasureOptions.Seed), result.GetValue(seed));
            overrides.Set(nameof(MeasureOptions.LearningRate), result.GetValue(lr));
            overrides.Set(nameof(MeasureOptions.BnMode), result.GetValue(bnMode));
            overrides.Set(nameof(MeasureOptions.GramMode), result.GetValue(gramMode));
            overrides.Set(nameof(MeasureOptions.RankTolerance), result.GetValue(rankTolerance));
            overrides.Set(nameof(MeasureOptions.RankRule), result.GetValue(rankRule));
            overrides.Set(nameof(MeasureOptions.Threads), result.GetValue(threads));
            overrides.Set(nameof(MeasureOptions.Device), result.GetValue(device));
            if (result.GetValue(augment))
            {
                overrides.Set(nameof(MeasureOptions.Augment), true);
            }

            if (result.GetValue(gram))
            {
                overrides.Set(nameof(MeasureOptions.IncludeGram), true);
            }

            return VerbHost.RunAsync<MeasureOptions, MeasureService>(
                MeasureOptions.SectionName,
                overrides.Values,
                token,
                services =>
                {
                    services.AddSingleton<IValidateOptions<MeasureOptions>, MeasureOptionsValidator>();

                    // Standard output carries the JSON report only; every log line goes to standard error.
                    services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                });
        });
        return command;
    }
}
