using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Tests.Verbs.Measure;

/// <summary><see cref="MeasureOptions"/> is the single declaration of the <c>measure</c> verb's options.</summary>
[TestFixture]
public sealed class MeasureOptionsRecordTests : OptionsRecordTests<MeasureOptions>
{
    protected override string Section => MeasureOptions.SectionName;

    protected override MeasureOptions Sample() => new()
    {
        Model = "mlp:8", Data = DataSetKind.Mnist, DataPath = "/data/mnist", Weights = "w.safetensors", Indices = "1,5,9", BatchSize = 3, Seed = 42,
        LearningRate = 0.0123456789, BnMode = BatchNormMode.Eval, GramMode = GramMode.Ghost, RankTolerance = 1e-5, RankRule = RankRule.Reference, Threads = 3, Device = "cuda:1", Augment = true,
        IncludeGram = true,
    };

    protected override Command Verb() => MeasureVerb.Create();

    protected override Dictionary<string, string?> Bind(ParseResult parsed) => MeasureVerb.Overrides(parsed);

    [TestCase("--model", "Model of the weights: mlp, mlp:W1-W2, resnet8, resnet110, densenet8, densenet110, densenet:L/G (default mlp)")]
    [TestCase("--seed", "Seed of the drawn batch, the augmentation and, without --weights, the weights (default 1)")]
    [TestCase("--bn-mode", "BatchNorm statistics: train (batch, default) or eval (running)")]
    [TestCase("--gram", "Also print F̃ itself (B rows of B entries), e.g. for tools/check_measure.py")]
    public void TheHelpIsTheRecords(string flag, string help) => Assert.That(HelpOf(flag), Is.EqualTo(help));

    [Test]
    public void TheLearningRatesRangeKeepsItsWording()
    {
        var options = new MeasureOptions { LearningRate = 0 };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Assert.That(results.Select(r => r.ErrorMessage), Is.EqualTo(new[] { "--lr: the learning rate must be in [1E-12, 1000000]." }));
    }
}
