using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.Configuration;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>
/// Values from appsettings.json or AUTOBATCH_* variables that the configuration binder cannot convert: each named by
/// its key and variable with what was expected, and only those (a value the binder accepts passes).
/// </summary>
[TestFixture]
public sealed class VerbHostTests
{
    private static List<string> Check(Dictionary<string, string?> values) =>
        VerbHost.UnconvertibleValues(typeof(MeasureOptions), new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(MeasureOptions.SectionName));

    [Test]
    public void EachUnconvertibleValueIsNamedWithWhatWasExpected()
    {
        List<string> messages = Check(new()
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

    [Test]
    public void ValuesTheBinderAcceptsPass()
    {
        // As the binder reads them: invariant culture, enum names in any case, exponents.
        Assert.That(Check(new()
        {
            ["Measure:BatchSize"] = "64",
            ["Measure:LearningRate"] = "1e-2",
            ["Measure:Seed"] = "-3",
            ["Measure:GramMode"] = "ghost",
            ["Measure:Augment"] = "True",
            ["Measure:RankTolerance"] = "0.001",
        }), Is.Empty);
    }
}
