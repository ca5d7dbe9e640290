using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Tests.Verbs.Measure;

[TestFixture]
public sealed class MeasureOptionsValidatorTests
{
    /// <summary>Both layers the host runs on start: the data-annotation ranges and the validator.</summary>
    private static List<string> Failures(MeasureOptions options)
    {
        var failures = new List<string>();
        foreach (IValidateOptions<MeasureOptions> validator in new IValidateOptions<MeasureOptions>[]
                 {
                     new DataAnnotationValidateOptions<MeasureOptions>(null), new MeasureOptionsValidator(),
                 })
        {
            ValidateOptionsResult result = validator.Validate(Options.DefaultName, options);
            failures.AddRange(result.Failures ?? []);
        }

        return failures;
    }

    [Test]
    public void Defaults_AreValid()
    {
        Assert.That(Failures(new MeasureOptions()), Is.Empty);
    }

    [Test]
    public void ExplicitIndicesWithAMatchingBatchSize_AreValid()
    {
        Assert.That(Failures(new MeasureOptions { Indices = "3,1,2", BatchSize = 3, RankTolerance = 1e-6 }), Is.Empty);
    }

    [Test]
    public void UnknownModel_NamesTheModelOption()
    {
        Assert.That(Failures(new MeasureOptions { Model = "resnet9" }), Has.One.StartsWith("--model: ").And.Contain("resnet9"));
    }

    [Test]
    public void DataSetWithoutDefaultFolder_NeedsADataPath()
    {
        Assert.That(Failures(new MeasureOptions { Data = DataSetKind.Cifar10 }), Has.One.StartsWith("--data-path: required for Cifar10"));
    }

    [Test]
    public void MissingWeightsFile_NamesTheOptionAndTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.safetensors");

        Assert.That(Failures(new MeasureOptions { Weights = path }), Has.One.StartsWith("--weights: ").And.Contain(path).And.Contain("does not exist"));
    }

    [TestCase("1,5,5", "index 5 appears more than once")]
    [TestCase("1,x,3", "'x' (item 2 of '1,x,3') is not a non-negative integer")]
    [TestCase("-4", "is not a non-negative integer")]
    [TestCase(" ", "found nothing")]
    public void MalformedIndices_NameTheIndicesOption(string indices, string expected)
    {
        Assert.That(Failures(new MeasureOptions { Indices = indices }), Has.One.StartsWith("--indices: ").And.Contain(expected));
    }

    [Test]
    public void BatchSizeThatContradictsTheIndices_NamesBothOptions()
    {
        Assert.That(
            Failures(new MeasureOptions { Indices = "1,2", BatchSize = 3 }),
            Has.One.EqualTo("--batch-size: 3 conflicts with --indices, which lists 2 samples; give one or the other."));
    }

    [Test]
    public void RankToleranceOutsideTheOpenUnitInterval_NamesTheOption([Values(0.0, 1.0, -0.5, double.NaN, double.PositiveInfinity)] double tolerance)
    {
        Assert.That(Failures(new MeasureOptions { RankTolerance = tolerance }), Has.One.StartsWith("--rank-tolerance: ").And.Contain("outside (0, 1)"));
    }

    [Test]
    public void UndefinedEnumValues_NameTheirOptions()
    {
        List<string> failures = Failures(new MeasureOptions { Data = (DataSetKind)42, BnMode = (BatchNormMode)7, GramMode = (GramMode)9 });

        Assert.That(failures, Has.One.StartsWith("--data: '42' is not one of"));
        Assert.That(failures, Has.One.EqualTo("--bn-mode: '7' is not one of train, eval."));
        Assert.That(failures, Has.One.EqualTo("--gram-mode: '9' is not one of auto, ghost, materialise."));
    }

    [TestCase(0.0)]
    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void LearningRateOutOfRange_NamesTheLrOption(double lr)
    {
        Assert.That(Failures(new MeasureOptions { LearningRate = lr }), Has.One.Contain("--lr: the learning rate must be in"));
    }

    [Test]
    public void BatchSizeAndThreadsOutOfRange_NameTheirOptions()
    {
        List<string> failures = Failures(new MeasureOptions { BatchSize = 0, Threads = 0 });

        Assert.That(failures, Has.One.Contain("--batch-size: must be in [1, 1048576]."));
        Assert.That(failures, Has.One.Contain("--threads: must be in [1, 1024]."));
    }
}
