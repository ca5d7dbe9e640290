using AutoBatch.Controller.Verbs.Beacons;

namespace AutoBatch.Controller.Tests.Verbs.Beacons;

public sealed class BeaconsOptionsValidatorTests
{
    private static readonly BeaconsOptionsValidator Validator = new();

    [Test]
    public void DefaultsAreValid() =>
        Assert.That(Validator.Validate(null, new BeaconsOptions()).Succeeded, Is.True);

    [TestCase("vgg", null, null, "--model")]
    [TestCase("mlp", "8,x", null, "--batch-sizes")]
    [TestCase("mlp", "8,8", null, "must not repeat")]
    [TestCase("mlp", null, "0.1,-1", "--learning-rates")]
    public void BadGridsAreNamedBeforeAnyRunStarts(string model, string? batches, string? rates, string named)
    {
        var options = new BeaconsOptions { Model = model };
        if (batches is not null)
        {
            options.BatchSizes = batches;
        }

        if (rates is not null)
        {
            options.LearningRates = rates;
        }

        Assert.That(Validator.Validate(null, options).FailureMessage, Does.Contain(named));
    }

    [Test]
    public void ShardAndShardCountExcludeEachOther() =>
        Assert.That(Validator.Validate(null, new BeaconsOptions { Shard = "0/2", ShardCount = 2 }).FailureMessage, Does.Contain("--shard-count"));
}
