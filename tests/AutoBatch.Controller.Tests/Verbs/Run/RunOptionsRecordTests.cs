using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Tests.BadInput;
using AutoBatch.Controller.Verbs.Compare;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.Configuration;

namespace AutoBatch.Controller.Tests.Verbs.Run;

/// <summary>
/// <see cref="RunOptions"/> is the single declaration of the <c>run</c> verb's options: the command line, the
/// configuration keys it binds and a child process's arguments are all derived from it, each property exactly once,
/// and options written as child arguments come back equal through the verb's own parser.
/// </summary>
[TestFixture]
public sealed class RunOptionsRecordTests : OptionsRecordTests<RunOptions>
{
    /// <summary>Every property set, each to a value other than its default (checked below), so that each must travel.</summary>
    protected override RunOptions Sample() => new()
    {
        Map = "maps/m.json", Schedule = "s64", Model = "mlp:8", Data = DataSetKind.Mnist, DataPath = "/data/mnist", TrainSubset = 100,
        Epochs = 3, ProbeInterval = 7, ProbeBackground = false, RankRule = RankRule.Reference, BothRankRules = true, BatchSize = 64, LearningRate = 0.0123456789, LearningRateRule = LearningRateRule.SquareRoot,
        MinBatchSize = 8, MaxBatchSize = 256, DwellEpochs = 2, AllowLastPhaseChanges = true, ErrorTolerance = 0.015, Seed = 42, Threads = 3,
        Device = "cuda:1", Output = "out/run", CheckpointEvery = 5, Resume = true, Rollback = false, ExitWithParent = 1234,
    };

    /// <inheritdoc/>
    protected override string Section => RunOptions.SectionName;

    /// <inheritdoc/>
    protected override Command Verb() => RunVerb.Create();

    /// <inheritdoc/>
    protected override Dictionary<string, string?> Bind(ParseResult parsed) => RunVerb.Overrides(parsed);

    [Test]
    public void AComparisonsChildRunsWhatTheComparisonAsks()
    {
        var spec = new CompareSpec
        {
            Map = "/maps/m.json", Schedules = ["s128"], Seeds = [7], Epochs = 4, TrainSubset = 500, LearningRateRule = LearningRateRule.Linear,
        };
        var run = spec.Runs()[0];
        IReadOnlyList<string> args = new ProcessCompareExecutor((s, r, f) => ["run", .. OptionRecord.Arguments(CompareService.ChildRun(s, r, f, "/data", 2, "cuda"))])
            .Arguments(spec, run, "cmp/s128-s7");

        Assert.That(args[0], Is.EqualTo("run"));
        RunOptions child = ParseWithTheVerb([.. args.Skip(1)], out _);
        Assert.Multiple(() =>
        {
            Assert.That((child.Map, child.Schedule, child.Seed, child.Epochs, child.TrainSubset), Is.EqualTo(("/maps/m.json", "s128", 7L, (int?)4, (int?)500)));
            Assert.That((child.LearningRateRule, child.DataPath, child.Threads, child.Device, child.Output), Is.EqualTo((LearningRateRule.Linear, "/data", 2, "cuda", "cmp/s128-s7")));
            Assert.That((child.Resume, child.ExitWithParent), Is.EqualTo((true, (int?)Environment.ProcessId)));
        });
    }

    [TestCase("--min-batch-size", "Smallest batch size for adaptive policies (default 16)")]
    [TestCase("--max-batch-size", "Largest batch size for adaptive policies (default 512)")]
    [TestCase("--dwell", "Epochs between two batch-size changes (default 1)")]
    [TestCase("--seed", "Seed (default 1)")]
    [TestCase("--threads", "libtorch threads (default 1)")]
    [TestCase("--output", "Output folder (default runs/run)")]
    [TestCase("--checkpoint-every", "Checkpoint every N epochs (default 1)")]
    [TestCase("--map", "Beacon map (default beacon-data/fashion-mnist-mlp.json)")]
    [TestCase("--lr-rule", "α on a batch change: Keep (default), Linear, SquareRoot")]
    [TestCase("--resume", "Continue from the output folder's checkpoint, if any")]
    [TestCase("--device", "Device: cpu or cuda[:N] (cuda needs the TorchSharp engine and a CUDA LibTorch) (default cpu)")]
    public void TheHelpShowsTheDefaultOfTheRecord(string flag, string help) =>
        Assert.That(RunVerb.Create().Options.Single(o => o.Name == flag).Description, Is.EqualTo(help));

    [Test]
    public void TheShortAliasesAndTheHiddenFlagAreDeclaredToo()
    {
        IList<Option> options = RunVerb.Create().Options;
        Assert.Multiple(() =>
        {
            Assert.That(options.Where(o => o.Aliases.Count > 0).ToDictionary(o => o.Name, o => o.Aliases.Single()), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["--schedule"] = "-s", ["--model"] = "-m", ["--epochs"] = "-e", ["--batch-size"] = "-b", ["--output"] = "-o",
            }));
            Assert.That(options.Where(o => o.Hidden).Select(o => o.Name), Is.EqualTo(new[] { "--exit-with-parent" }));
        });
    }

    [TestCase(nameof(RunOptions.Epochs), 0, "--epochs: must be in [1, 100000].")]
    [TestCase(nameof(RunOptions.LearningRate), double.NaN, "--lr: must be in [1E-12, 1000000].")]
    [TestCase(nameof(RunOptions.ErrorTolerance), 0.75, "--error-tolerance: must be in [0, 0.5].")]
    public void ARangeMessageNamesTheFlag(string property, object value, string expected)
    {
        var options = new RunOptions();
        PropertyInfo p = typeof(RunOptions).GetProperty(property)!;
        p.SetValue(options, Convert.ChangeType(value, Nullable.GetUnderlyingType(p.PropertyType)!, System.Globalization.CultureInfo.InvariantCulture));
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Assert.That(results.Select(r => (r.ErrorMessage, r.MemberNames.Single())), Is.EqualTo(new[] { (expected, property) }));
    }

    [Test]
    public async Task ARefusedValueIsReportedWithItsFlagKeyAndValue()
    {
        CliResult r = await Cli.InvokeAsync("run", "--epochs", "0", "--output", Path.Combine(Path.GetTempPath(), "autobatch-refused-" + Guid.NewGuid().ToString("N")));
        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain("Invalid option: --epochs (Run:Epochs): must be in [1, 100000]; got '0'."), r.All);
        });
    }
}
