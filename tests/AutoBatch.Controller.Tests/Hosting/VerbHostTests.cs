using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Verbs.Measure;
using Microsoft.Extensions.Configuration;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>
/// Values from appsettings.json or AUTOBATCH_* variables that the configuration binder cannot convert: each named by
/// its key and variable with what was expected, and only those (a value the binder accepts passes).
/// </summary>
[TestFixture]
public sealed class VerbHostTests
{
    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(MeasureOptions.SectionName);

    private static IReadOnlyList<string> Check(Dictionary<string, string?> values) => VerbHost.UnconvertibleValues(typeof(MeasureOptions), Section(values));

    [Test]
    public void EachUnconvertibleValueIsNamedWithWhatWasExpected()
    {
        IReadOnlyList<string> messages = Check(new()
        {
            ["Measure:BatchSize"] = "many",
            ["Measure:LearningRate"] = "0,05",
            ["Measure:Seed"] = "1.5",
            ["Measure:GramMode"] = "dense",
            ["Measure:Augment"] = "sometimes",
            ["Measure:Model"] = "anything: strings are not checked here",
        });

        Assert.That(messages, Is.EquivalentTo(new[]
        {
            "Measure:BatchSize (appsettings.json or AUTOBATCH_Measure__BatchSize): expected a whole number, got 'many'.",
            "Measure:LearningRate (appsettings.json or AUTOBATCH_Measure__LearningRate): expected a number, got '0,05'.",
            "Measure:Seed (appsettings.json or AUTOBATCH_Measure__Seed): expected a whole number, got '1.5'.",
            "Measure:GramMode (appsettings.json or AUTOBATCH_Measure__GramMode): expected one of Auto, Ghost, Materialise, got 'dense'.",
            "Measure:Augment (appsettings.json or AUTOBATCH_Measure__Augment): expected true or false, got 'sometimes'.",
        }));
    }

    [TestCase("BatchSize", "many")]
    [TestCase("LearningRate", "0,05")]
    [TestCase("Seed", "1.5")]
    [TestCase("GramMode", "dense")]
    [TestCase("Augment", "sometimes")]
    public void TheBinderRefusesEachValueTheCheckReports(string key, string value)
    {
        // The check exists to report these before the binder fails on them: the binder must fail on each.
        Assert.That(() => Section(new() { [$"Measure:{key}"] = value }).Get<MeasureOptions>(), Throws.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void ValuesTheBinderAcceptsPass()
    {
        // As the binder reads them: invariant culture, enum names in any case, exponents; the binder itself takes them.
        var values = new Dictionary<string, string?>
        {
            ["Measure:BatchSize"] = "64",
            ["Measure:LearningRate"] = "1e-2",
            ["Measure:Seed"] = "-3",
            ["Measure:GramMode"] = "ghost",
            ["Measure:Augment"] = "True",
            ["Measure:RankTolerance"] = "0.001",
        };
        Assert.That(Check(values), Is.Empty);
        MeasureOptions? bound = Section(values).Get<MeasureOptions>();
        Assert.That(bound, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(bound!.BatchSize, Is.EqualTo(64));
            Assert.That(bound.LearningRate, Is.EqualTo(0.01));
            Assert.That(bound.Seed, Is.EqualTo(-3));
            Assert.That(bound.GramMode, Is.EqualTo(AutoBatch.Engine.Probe.GramMode.Ghost));
            Assert.That(bound.Augment, Is.True);
            Assert.That(bound.RankTolerance, Is.EqualTo(0.001));
        });
    }

    [Test]
    public void ADataAnnotationFailure_IsShownAsItsRule_WithTheKeyAndTheValueGiven_OthersPassThrough()
    {
        IConfigurationSection section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Train:BatchSize"] = "0" }).Build().GetSection("Train");
        const string Wrapped =
            "DataAnnotation validation failed for 'TrainOptions' members: 'BatchSize' with the error: '--batch-size: must be in [1, 1048576].'.";

        Assert.That(VerbHost.Describe(Wrapped, section), Is.EqualTo("--batch-size (Train:BatchSize): must be in [1, 1048576]; got '0'."));
        Assert.That(
            VerbHost.Describe(Wrapped.Replace("'BatchSize'", "'Epochs'", StringComparison.Ordinal), section),
            Is.EqualTo("--batch-size (Train:Epochs): must be in [1, 1048576]."),
            "no value to show when the key was not set");
        Assert.That(VerbHost.Describe("--shard: expected i/n, got '3/2'.", section), Is.EqualTo("--shard: expected i/n, got '3/2'."));
    }
}
