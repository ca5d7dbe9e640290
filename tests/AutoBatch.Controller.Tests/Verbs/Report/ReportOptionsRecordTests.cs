using System.CommandLine;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Report;

namespace AutoBatch.Controller.Tests.Verbs.Report;

/// <summary><see cref="ReportOptions"/> is the single declaration of the <c>report</c> verb's options.</summary>
[TestFixture]
public sealed class ReportOptionsRecordTests : OptionsRecordTests<ReportOptions>
{
    protected override string Section => ReportOptions.SectionName;

    protected override ReportOptions Sample() => new() { Compare = "out/cmp", Map = "maps/m.json" };

    protected override Command Verb() => ReportVerb.Create();

    protected override Dictionary<string, string?> Bind(ParseResult parsed) => ReportVerb.Overrides(parsed);

    [TestCase("--compare", "Comparison folder (compare --output; default runs/compare)")]
    [TestCase("--map", "Beacon map (default: the one in the folder's compare.json)")]
    public void TheHelpIsTheRecords(string flag, string help) => Assert.That(HelpOf(flag), Is.EqualTo(help));
}
