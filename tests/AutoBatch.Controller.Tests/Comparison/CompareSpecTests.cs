using AutoBatch.Controller.Comparison;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Tests.Comparison;

public sealed class CompareSpecTests
{
    private static readonly CompareSpec Spec = new() { Map = "beacon-data/m.json", Schedules = ["best", "s32-to-512-∅"], Seeds = [1, 2], Epochs = 15, TrainSubset = 6000 };

    [Test]
    public void ClaimWritesTheSpecAndAcceptsTheSameComparisonAgain()
    {
        string folder = SyntheticRuns.TempFolder();
        Spec.Claim(folder);
        CompareSpec read = CompareSpec.Read(folder);
        Assert.Multiple(() =>
        {
            Assert.That(read.Differences(Spec), Is.Empty);
            Assert.That(read.Schedules, Is.EqualTo(Spec.Schedules));
            Assert.That(read.Runs().Select(r => r.Id), Is.EqualTo(new[] { "best-s1", "best-s2", "s32-to-512-0-s1", "s32-to-512-0-s2" }));
        });

        // The same map by its full path is the same comparison.
        Assert.DoesNotThrow(() => (Spec with { Map = Path.GetFullPath(Spec.Map) }).Claim(folder));
    }

    [Test]
    public void ClaimRefusesAFolderOfAnotherComparisonNamingWhatDiffers()
    {
        string folder = SyntheticRuns.TempFolder();
        Spec.Claim(folder);
        string before = File.ReadAllText(CompareSpec.PathIn(folder));
        var other = Spec with { Seeds = [1, 2, 3], Epochs = 10 };

        var e = Assert.Throws<UserInputException>(() => other.Claim(folder, AutoBatch.Controller.Hosting.OptionRecord.Vocabulary(typeof(AutoBatch.Controller.Verbs.Compare.CompareOptions))));
        var named = Assert.Throws<UserInputException>(() => other.Claim(folder));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain("--seeds 1,2 (folder) vs 1,2,3 (now)"));
            Assert.That(e.Message, Does.Contain("--epochs 15 (folder) vs 10 (now)"));
            Assert.That(e.Message, Does.Not.Contain("--map"));
            Assert.That(e.Message, Does.StartWith("--output: ").And.EndWith("give the same settings to resume it, or another --output."));
            Assert.That(named!.Message, Does.StartWith("Output: ").And.Contain("(Seeds 1,2 (folder) vs 1,2,3 (now); Epochs 15 (folder) vs 10 (now))"));
            Assert.That(File.ReadAllText(CompareSpec.PathIn(folder)), Is.EqualTo(before));
        });
    }

    [TestCase("schedules")]
    [TestCase("subset")]
    [TestCase("rule")]
    [TestCase("map")]
    public void EveryFieldTakesPart(string field)
    {
        CompareSpec other = field switch
        {
            "schedules" => Spec with { Schedules = ["best", "s32-to-512-MS"] },
            "subset" => Spec with { TrainSubset = null },
            "rule" => Spec with { LearningRateRule = AutoBatch.Controller.Policies.LearningRateRule.Linear },
            _ => Spec with { Map = "other.json" },
        };
        Assert.That(Spec.Differences(other), Has.Count.EqualTo(1));
    }

    [TestCase("\"schedules\": [", "\"schedules\": [], \"x\": [", "no schedules, expected at least one")]
    [TestCase("\"seeds\": [", "\"seeds\": [], \"x\": [", "no seeds, expected at least one")]
    [TestCase("\"epochs\": 15", "\"epochs\": -2", "epochs -2, expected >= 1")]
    [TestCase("\"version\": 1", "\"version\": 9", "version 9, expected 1 (written by another version of autobatch?)")]
    public void ASpecNoComparisonWrites_IsRefusedNamingTheFileAndField(string find, string replace, string expected)
    {
        // Before, report went on with it and replaced the report with one of "0 of 0 runs".
        string folder = SyntheticRuns.TempFolder();
        Spec.Claim(folder);
        string path = CompareSpec.PathIn(folder);
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Contain(find));
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));

        Assert.That(() => CompareSpec.Read(folder), Throws.InstanceOf<UserInputException>().With.Message.EqualTo($"{path}: not a valid comparison spec: {expected}."));
    }

    [Test]
    public void ReadingAFolderWithoutASpecSaysSo() =>
        Assert.That(() => CompareSpec.Read(SyntheticRuns.TempFolder()), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("not a comparison folder"));
}
