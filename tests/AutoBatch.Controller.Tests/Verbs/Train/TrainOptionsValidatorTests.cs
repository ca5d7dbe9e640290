using AutoBatch.Controller.Verbs.Train;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Verbs.Train;

public sealed class TrainOptionsValidatorTests
{
    private static readonly TrainOptionsValidator Validator = new();

    [Test]
    public void DefaultsAreValid() =>
        Assert.That(Validator.Validate(null, new TrainOptions()).Succeeded, Is.True);

    [Test]
    public void UnknownModelIsNamed()
    {
        var result = Validator.Validate(null, new TrainOptions { Model = "vgg" });
        Assert.That(result.FailureMessage, Does.Contain("--model").And.Contain("vgg"));
    }

    [Test]
    public void NonDefaultDataSetNeedsAPath()
    {
        var result = Validator.Validate(null, new TrainOptions { Data = DataSetKind.Cifar10 });
        Assert.That(result.FailureMessage, Does.Contain("--data-path"));
    }
}
