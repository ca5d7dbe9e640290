using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Tests.Hosting;
using AutoBatch.Controller.Verbs.Compare;
using AutoBatch.Controller.Verbs.Run;

namespace AutoBatch.Controller.Tests.Verbs.Compare;

/// <summary><see cref="CompareOptions"/> is the single declaration of the <c>compare</c> verb's options.</summary>
[TestFixture]
public sealed class CompareOptionsRecordTests : OptionsRecordTests<CompareOptions>
{
    protected override string Section => CompareOptions.SectionName;

    protected override CompareOptions Sample() => new()
    {
        Map = "maps/m.json", Schedules = "s64,closed-loop", Seeds = "4,5", Parallel = 3, ThreadsPerRun = 2, Device = "cuda:1", Output = "out/cmp", Epochs = 4, TrainSubset = 500,
        DataPath = "/data", LearningRateRule = LearningRateRule.Linear,
    };

    protected override Command Verb() => CompareVerb.Create();

    protected override Dictionary<string, string?> Bind(ParseResult parsed) => CompareVerb.Overrides(parsed);

    [TestCase("--map", "Beacon map (default " + RunOptions.DefaultMap + ")")]
    [TestCase("--schedules", "Comma-separated schedules (default " + CompareOptions.DefaultSchedules + ")")]
    [TestCase("--parallel", "Runs at once (default 2)")]
    [TestCase("--data-path", "Folder with the data files")]
    [TestCase("--lr-rule", "α on a batch change: Keep (default), Linear, SquareRoot")]
    public void TheHelpIsTheRecords(string flag, string help) => Assert.That(HelpOf(flag), Is.EqualTo(help));

    [TestCase(nameof(CompareOptions.Parallel), 0, "--parallel: must be in [1, 1024].")]
    [TestCase(nameof(CompareOptions.Epochs), 0, "--epochs: must be in [1, 100000].")]
    [TestCase(nameof(CompareOptions.TrainSubset), 0, "--train-subset: must be in [1, 2147483647].")]
    [TestCase(nameof(CompareOptions.Seeds), "", "--seeds: give at least one seed.")]
    public void ARefusedValuesMessageNamesTheFlag(string property, object value, string expected)
    {
        var options = new CompareOptions();
        typeof(CompareOptions).GetProperty(property)!.SetValue(options, value);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Assert.That(results.Select(r => (r.ErrorMessage, r.MemberNames.Single())), Is.EqualTo(new[] { (expected, property) }));
    }
}
