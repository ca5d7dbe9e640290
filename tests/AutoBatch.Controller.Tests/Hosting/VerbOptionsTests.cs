using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Controller.Verbs.Compare;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Controller.Verbs.Merge;
using AutoBatch.Controller.Verbs.Report;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Controller.Verbs.Train;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>
/// The binding of every verb's command line into configuration keys (<see cref="VerbOptions.Overrides"/>): only the
/// flags a user gave override appsettings.json and AUTOBATCH_* variables; a switch not given is not "false".
/// </summary>
[TestFixture]
public sealed class VerbOptionsTests
{
    private static IEnumerable<TestCaseData> Verbs()
    {
        yield return new TestCaseData((Func<Command>)RunVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)RunVerb.Overrides).SetName("Run");
        yield return new TestCaseData((Func<Command>)TrainVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)TrainVerb.Overrides).SetName("Train");
        yield return new TestCaseData((Func<Command>)BeaconsVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)BeaconsVerb.Overrides).SetName("Beacons");
        yield return new TestCaseData((Func<Command>)MergeVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)MergeVerb.Overrides).SetName("Merge");
        yield return new TestCaseData((Func<Command>)MeasureVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)MeasureVerb.Overrides).SetName("Measure");
        yield return new TestCaseData((Func<Command>)CompareVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)CompareVerb.Overrides).SetName("Compare");
        yield return new TestCaseData((Func<Command>)ReportVerb.Create, (Func<ParseResult, Dictionary<string, string?>>)ReportVerb.Overrides).SetName("Report");
    }

    [TestCaseSource(nameof(Verbs))]
    public void NoFlagGivenOverridesNothing(Func<Command> create, Func<ParseResult, Dictionary<string, string?>> overrides)
    {
        ParseResult parsed = create().Parse([]);
        Assert.That(overrides(parsed), Is.Empty);
    }

    [TestCase("--resume", "true")]
    [TestCase("--resume false", "false")]
    public void ASwitchGivenIsSetEitherWay(string args, string expected)
    {
        Dictionary<string, string?> values = RunVerb.Overrides(RunVerb.Create().Parse(args.Split(' ')));
        Assert.That(values, Is.EqualTo(new Dictionary<string, string?> { ["Run:Resume"] = expected }));
    }
}
