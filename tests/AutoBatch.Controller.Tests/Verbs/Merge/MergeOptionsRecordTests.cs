using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Merge;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Tests.Verbs.Merge;

/// <summary><see cref="MergeOptions"/> is the single declaration of the <c>merge</c> verb's options.</summary>
[TestFixture]
public sealed class MergeOptionsRecordTests : OptionsRecordTests<MergeOptions>
{
    protected override string Section => MergeOptions.SectionName;

    protected override MergeOptions Sample() => new() { Grids = "shard-0,shard-1", Output = "out/map.json", AllowIncomplete = true, RankRule = RankRule.Reference };

    protected override Command Verb() => MergeVerb.Create();

    protected override Dictionary<string, string?> Bind(ParseResult parsed) => MergeVerb.Overrides(parsed);

    [Test]
    public void TheGridsAreSeveralTokensJoinedWithCommas()
    {
        MergeOptions o = ParseWithTheVerb(["--grids", "a", "b", "c", "-o", "m.json"], out _);
        Assert.That((o.Grids, o.Output, o.AllowIncomplete), Is.EqualTo(("a,b,c", "m.json", false)));
    }

    [TestCase("--output", "Map file to write")]
    [TestCase("--allow-incomplete", "Write a map even if runs are missing")]
    public void TheHelpIsTheRecords(string flag, string help) => Assert.That(HelpOf(flag), Is.EqualTo(help));

    [Test]
    public void TheRequiredMessagesNameTheFlags()
    {
        var options = new MergeOptions();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Assert.That(results.Select(r => (r.ErrorMessage, r.MemberNames.Single())), Is.EquivalentTo(new[]
        {
            ("--grids: give the shard folders to merge.", nameof(MergeOptions.Grids)),
            ("--output: give the map file to write.", nameof(MergeOptions.Output)),
        }));
    }
}
