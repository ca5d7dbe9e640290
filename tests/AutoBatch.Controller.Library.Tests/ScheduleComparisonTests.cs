using System.IO;
using System.Text.Json;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Runs;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>
/// Schedules compared on a user's model: the report is built from the runs' own records, a run is the trainer's run
/// of the same seed and schedule, a finished comparison resumes without training, and a map of another architecture is
/// refused before anything is written.
/// </summary>
public sealed class ScheduleComparisonTests
{
    private string _map = null!;
    private string _model = null!;
    private LabelledData _train = null!;
    private LabelledData _test = null!;

    [OneTimeSetUp]
    public void BuildMap() => (_, _map, _model, _train, _test) = TinyModels.Map();

    private ScheduleComparison Comparison(string output, IReadOnlyList<Schedule> schedules, IReadOnlyList<long> seeds, int width = 4) =>
        new(() => TinyModels.Cnn(width), _train, _test, new ScheduleComparisonOptions
        {
            OutputFolder = output, BeaconMap = _map, Schedules = schedules, Seeds = seeds,
        }, name: "tiny");

    [Test]
    public async Task TheReport_HoldsEveryRunsOwnSummary_AndAFinishedComparisonResumesWithoutTraining()
    {
        string output = TinyModels.Folder("compare");
        var finished = new List<string>();
        ComparisonReport report = await Comparison(output, [Schedule.Fixed(8), Schedule.Best], [1, 2])
            .RunAsync(new SynchronousProgress<CompareRun>(r => finished.Add(r.Id)));

        // The run folders, read as plain JSON: runs/<schedule>-s<seed>/summary.json.
        string[] ids = ["s8-s1", "s8-s2", "best-s1", "best-s2"];
        Dictionary<string, JsonElement> summaries = ids.ToDictionary(id => id, id => Json(Path.Combine(output, "runs", id, "summary.json")));
        JsonElement written = Json(Path.Combine(output, "report.json"));
        JsonElement[] runs = [.. written.GetProperty("runs").EnumerateArray()];

        Assert.That(finished, Is.EqualTo(ids));
        Assert.That(runs.Select(r => r.GetProperty("id").GetString()), Is.EqualTo(ids));
        Assert.That(report.Runs.Select(r => r.Id), Is.EqualTo(ids), "the returned report is the written one");
        Assert.That(File.ReadAllText(Path.Combine(output, "report.md")), Does.Contain("| s8-s1 |").And.Contain("| best-s2 |"));
        foreach (JsonElement run in runs)
        {
            JsonElement summary = summaries[run.GetProperty("id").GetString()!];
            Assert.That(run.GetProperty("testError").GetDouble(), Is.EqualTo(summary.GetProperty("finalTestError").GetDouble()));
            Assert.That(run.GetProperty("iterations").GetInt64(), Is.EqualTo(summary.GetProperty("iterations").GetInt64()));
            Assert.That(run.GetProperty("seed").GetInt64(), Is.EqualTo(summary.GetProperty("seed").GetInt64()));
            Assert.That(run.GetProperty("diverged").GetBoolean(), Is.EqualTo(summary.GetProperty("diverged").GetBoolean()));
            Assert.That(run.GetProperty("batchSizeChanges").GetInt32(), Is.EqualTo(summary.GetProperty("batchSizeChanges").GetInt32()));
        }

        Assert.That(summaries["s8-s1"].GetProperty("model").GetString(), Is.EqualTo(_model));
        Assert.That(summaries["s8-s1"].GetProperty("initialBatchSize").GetInt32(), Is.EqualTo(8));
        Assert.That(
            summaries["s8-s1"].GetProperty("finalTestLoss").GetDouble(), Is.Not.EqualTo(summaries["s8-s2"].GetProperty("finalTestLoss").GetDouble()),
            "each seed builds its own module");
        JsonElement fixedRow = written.GetProperty("schedules").EnumerateArray().First(s => s.GetProperty("schedule").GetString() == "s8");
        double mean = (summaries["s8-s1"].GetProperty("finalTestError").GetDouble() + summaries["s8-s2"].GetProperty("finalTestError").GetDouble()) / 2;
        Assert.That(fixedRow.GetProperty("testError").GetProperty("mean").GetDouble(), Is.EqualTo(mean).Within(1e-12));

        // Again in the same folder: every run is finished, so nothing trains and the summaries stay as they were.
        DateTime[] before = ids.Select(id => File.GetLastWriteTimeUtc(Path.Combine(output, "runs", id, "summary.json"))).ToArray();
        var again = new List<string>();
        ComparisonReport resumed = await Comparison(output, [Schedule.Fixed(8), Schedule.Best], [1, 2])
            .RunAsync(new SynchronousProgress<CompareRun>(r => again.Add(r.Id)));

        Assert.That(again, Is.Empty);
        Assert.That(ids.Select(id => File.GetLastWriteTimeUtc(Path.Combine(output, "runs", id, "summary.json"))), Is.EqualTo(before));
        Assert.That(resumed.Runs.Select(r => r.TestError), Is.EqualTo(report.Runs.Select(r => r.TestError)));
    }

    [Test]
    public async Task AFixedScheduleRun_IsTheTrainersRunOfTheSameSeedAndSchedule()
    {
        string output = TinyModels.Folder("compare-fixed");
        ComparisonReport report = await Comparison(output, [Schedule.Fixed(8)], [2]).RunAsync();

        random.manual_seed(2);
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), _train, _test, new AutoBatchOptions
        {
            OutputFolder = TinyModels.Folder("trainer-fixed"), BeaconMap = _map, Schedule = Schedule.Fixed(8), Seed = 2,
        }, name: "tiny");
        RunSummary alone = await trainer.FitAsync();

        RunResult run = report.Runs.Single();
        Assert.That(run.Id, Is.EqualTo("s8-s2"));
        Assert.That(run.TestError, Is.EqualTo(alone.FinalTestError));
        Assert.That(run.Iterations, Is.EqualTo(alone.Iterations).And.GreaterThan(0));
        Assert.That(RunSession.ReadSummary(Path.Combine(output, "runs", "s8-s2", "summary.json")).CumulativeCondition, Is.EqualTo(alone.CumulativeCondition));
    }

    [Test]
    public void AMapOfAnotherArchitecture_IsRefused_BeforeAnythingIsWritten()
    {
        string output = Path.Combine(TinyModels.Folder("compare-other"), "comparison");
        ScheduleComparison other = Comparison(output, [Schedule.Fixed(8)], [1], width: 6);

        var error = Assert.ThrowsAsync<InvalidDataException>(async () => await other.RunAsync());

        Assert.That(other.ModelName, Is.Not.EqualTo(_model));
        Assert.That(error!.Message, Does.Contain($"the map is for {_model}").And.Contain($"the run uses {other.ModelName}"));
        Assert.That(Directory.Exists(output), Is.False);
    }

    [Test]
    public void AScheduleNamedTwice_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Comparison(TinyModels.Folder("twice"), [Schedule.Fixed(8), Schedule.Parse("s8")], [1]));

        Assert.That(error!.Message, Does.Contain("Schedules").And.Contain("twice"));
    }

    private static JsonElement Json(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool and race the assertions).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
