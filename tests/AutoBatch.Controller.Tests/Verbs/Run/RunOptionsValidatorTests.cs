using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Verbs.Run;

public sealed class RunOptionsValidatorTests
{
    private static readonly RunOptionsValidator Validator = new();

    private static string ExistingMap()
    {
        string path = Path.Combine(Path.GetTempPath(), "autobatch-map-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{}");
        return path;
    }

    [Test]
    public void AValidClosedLoopRunPasses() =>
        Assert.That(Validator.Validate(null, new RunOptions { Map = ExistingMap() }).Succeeded, Is.True);

    [TestCase("fastest", "--schedule")]
    [TestCase("s32-to-100", "16x")]
    [TestCase("closed-loop+fast", "keep, linear or sqrt")]
    public void ABadScheduleIsNamed(string schedule, string expected)
    {
        var result = Validator.Validate(null, new RunOptions { Map = ExistingMap(), Schedule = schedule });
        Assert.That(result.FailureMessage, Does.Contain("--schedule").And.Contain(expected));
    }

    [Test]
    public void MinAboveMaxIsRefused()
    {
        var result = Validator.Validate(null, new RunOptions { Map = ExistingMap(), MinBatchSize = 256, MaxBatchSize = 64 });
        Assert.That(result.FailureMessage, Does.Contain("--min-batch-size (256)").And.Contain("--max-batch-size (64)"));
    }

    [TestCase("closed-loop")]
    [TestCase("best")]
    public void SchedulesThatReadTheMapNeedOne(string schedule)
    {
        var result = Validator.Validate(null, new RunOptions { Map = "", Schedule = schedule, Model = "mlp", Epochs = 2, LearningRate = 0.1 });
        Assert.That(result.FailureMessage, Does.Contain("--map").And.Contain(schedule));
    }

    [Test]
    public void AMissingMapIsNamed()
    {
        var result = Validator.Validate(null, new RunOptions { Map = "/nonexistent/map.json" });
        Assert.That(result.FailureMessage, Does.Contain("--map").And.Contain("/nonexistent/map.json").And.Contain("does not exist"));
    }

    [Test]
    public void WithoutAMapModelEpochsAndRateAreRequired()
    {
        var refused = Validator.Validate(null, new RunOptions { Map = null, Schedule = "s64" });
        var accepted = Validator.Validate(null, new RunOptions { Map = null, Schedule = "s64", Model = "mlp", Epochs = 3, LearningRate = 0.05 });
        Assert.Multiple(() =>
        {
            Assert.That(refused.FailureMessage, Does.Contain("--model, --epochs and --lr"));
            Assert.That(accepted.Succeeded, Is.True);
        });
    }

    [Test]
    public void AModelAndDataSetAreCheckedTogether()
    {
        var result = Validator.Validate(null, new RunOptions { Map = ExistingMap(), Model = "resnet7", Data = DataSetKind.Cifar10 });
        Assert.That(result.FailureMessage, Does.Contain("--model").And.Contain("--data-path"));
    }

    [Test]
    public async Task TheDefaultMapIsFoundFromAFolderWithoutOne_TheCopyBesideTheProgram()
    {
        // The real program started in an empty folder: before, "beacon-data/fashion-mnist-mlp.json does not exist".
        string folder = Path.Combine(Path.GetTempPath(), "autobatch-cwd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (string a in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "autobatch.dll"), "run", "--schedule", "best", "--epochs", "1", "--train-subset", "64",
                "--probe-interval", "0", "--output", "out",
            })
            {
                start.ArgumentList.Add(a);
            }

            using var p = System.Diagnostics.Process.Start(start)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            string log = await stdout + await stderr;
            string besideProgram = Path.Combine(AppContext.BaseDirectory, RunOptions.DefaultMap);
            Assert.That(p.ExitCode, Is.EqualTo(0), log);
            Assert.That(AutoBatch.Controller.Runs.RunSession.ReadSummary(Path.Combine(folder, "out", AutoBatch.Controller.Runs.RunSession.SummaryName)).Map, Is.EqualTo(besideProgram));
            Assert.That(File.ReadAllBytes(besideProgram), Is.EqualTo(File.ReadAllBytes(Path.Combine(RepositoryRoot(), RunOptions.DefaultMap))), "the prebuilt map itself");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "AutoBatch.sln")))
            {
                return d;
            }
        }

        throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
    }

    [Test]
    public async Task TheHostRefusesInvalidOptionsOnStartWithExitCode2()
    {
        (int code, string output) = await GridProcess.RunAsync("run", "--map", "/nonexistent/map.json", "--min-batch-size", "300", "--max-batch-size", "30");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("--map").And.Contain("--min-batch-size (300)"));
        });
    }

    [Test]
    public async Task AMapForAnotherModelIsRefusedWithExitCode2()
    {
        string data = TinyIdx.Write(train: 40, test: 10);
        string map = Path.Combine(data, "map.json");
        (int gridCode, string gridLog) = await GridProcess.RunAsync(
            "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:8", "--batch-sizes", "8", "--learning-rates", "0.05", "--seeds", "1",
            "--epochs", "1", "--probe-interval", "1", "--parallel", "1", "--output", Path.Combine(data, "grid"), "--map", map);
        Assert.That(gridCode, Is.EqualTo(0), gridLog);
        (int code, string output) = await GridProcess.RunAsync("run", "--map", map, "--model", "mlp:16", "--data", "Mnist", "--data-path", data);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain(map).And.Contain("mlp:8").And.Contain("mlp:16"));
        });
    }
}
