using AutoBatch.Controller.Verbs.Compare;

namespace AutoBatch.Controller.Tests.Verbs.Compare;

public sealed class CompareOptionsValidatorTests
{
    private static readonly CompareOptionsValidator Validator = new();

    private static string ExistingMap()
    {
        string path = Path.Combine(Path.GetTempPath(), "autobatch-compare-map-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{}");
        return path;
    }

    [Test]
    public void DefaultsWithAnExistingMapAreValid() =>
        Assert.That(Validator.Validate(null, new CompareOptions { Map = ExistingMap() }).Succeeded, Is.True);

    [TestCase("best,s7-to-9", null, "--schedules")]
    [TestCase("best,s32-to-512,s32-to-512-0", null, "--schedules: s32-to-512-∅ given more than once")]
    [TestCase(null, "1,x", "--seeds")]
    [TestCase(null, "1,2,1", "--seeds: a seed is repeated")]
    [TestCase(null, " ", "--seeds")]
    public void BadListsAreNamed(string? schedules, string? seeds, string named)
    {
        var options = new CompareOptions { Map = ExistingMap() };
        options.Schedules = schedules ?? options.Schedules;
        options.Seeds = seeds ?? options.Seeds;
        Assert.That(Validator.Validate(null, options).FailureMessage, Does.Contain(named));
    }

    [Test]
    public void AMissingMapOrDataFolderIsNamed()
    {
        var options = new CompareOptions { Map = "/nonexistent/map.json", DataPath = "/nonexistent/data" };
        string message = Validator.Validate(null, options).FailureMessage ?? string.Empty;
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("--map: '/nonexistent/map.json' does not exist"));
            Assert.That(message, Does.Contain("--data-path"));
        });
    }

    [Test]
    public void SchedulesAreCanonicalised() =>
        Assert.That(CompareOptionsValidator.ParseSchedules("Best, s32-to-512 ,s16-to-64-ms"), Is.EqualTo(new[] { "best", "s32-to-512-∅", "s16-to-64-MS" }));
}
