using System.CommandLine;
using System.Text.Json;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Verbs.Train;

namespace AutoBatch.Controller.Tests.Verbs.Train;

/// <summary>The train verb end to end, in-process, on a tiny IDX data set written by the test.</summary>
public sealed class TrainVerbTests
{
    private static Task<int> Invoke(params string[] args) =>
        new RootCommand { TrainVerb.Create() }.Parse(args).InvokeAsync();

    [Test]
    public async Task TrainsAndWritesOneRecordPerEpochInBothFormats()
    {
        string data = TinyIdx.Write();
        string output = Path.Combine(data, "out");
        int code = await Invoke("train", "--data", "Mnist", "--data-path", data, "--epochs", "4", "--batch-size", "16", "--lr", "0.05", "--output", output, "--probe-interval", "2");
        Assert.That(code, Is.EqualTo(ExitCodes.Ok));
        string[] jsonl = await File.ReadAllLinesAsync(Path.Combine(output, "epochs.jsonl"));
        string[] csv = await File.ReadAllLinesAsync(Path.Combine(output, "epochs.csv"));
        using JsonDocument last = JsonDocument.Parse(jsonl[^1]);
        Assert.Multiple(() =>
        {
            Assert.That(jsonl, Has.Length.EqualTo(4));
            Assert.That(csv, Has.Length.EqualTo(5));
            Assert.That(last.RootElement.GetProperty("epoch").GetInt32(), Is.EqualTo(4));
            // 120 samples at B=16: 8 iterations per epoch; 4 epochs decay at epochs 2 and 3 (0-based).
            Assert.That(last.RootElement.GetProperty("totalIterations").GetInt64(), Is.EqualTo(32));
            Assert.That(last.RootElement.GetProperty("conditionMean").GetDouble(), Is.GreaterThanOrEqualTo(1));
            Assert.That(last.RootElement.GetProperty("learningRate").GetDouble(), Is.EqualTo(0.0005).Within(1e-12));
        });
    }

    [Test]
    public async Task ProbeBackgroundGivesTheSameRecordsAsTheSynchronousProbe()
    {
        // --probe-background reaches the trainer: the records must match the synchronous run's except for wall times,
        // and the background run must have measured (probe time is recorded when its readings are collected).
        string data = TinyIdx.Write();
        async Task<List<Dictionary<string, JsonElement>>> Records(string background)
        {
            string output = Path.Combine(data, "out-" + background);
            int code = await Invoke("train", "--data", "Mnist", "--data-path", data, "--model", "resnet8", "--epochs", "2", "--batch-size", "16",
                "--output", output, "--probe-interval", "3", "--probe-background", background, "--train-subset", "64");
            Assert.That(code, Is.EqualTo(ExitCodes.Ok));
            return (await File.ReadAllLinesAsync(Path.Combine(output, "epochs.jsonl")))
                .Select(line => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!)
                .ToList();
        }

        string[] times = ["trainSeconds", "trainCpuSeconds", "probeSeconds", "evalSeconds"];
        var sync = await Records("false");
        var background = await Records("true");
        Assert.Multiple(() =>
        {
            Assert.That(background, Has.Count.EqualTo(2));
            Assert.That(background[1]["measurements"].GetInt32(), Is.EqualTo(2));
            Assert.That(background[1]["probeSeconds"].GetDouble(), Is.GreaterThan(0));
            for (int i = 0; i < sync.Count; i++)
            {
                foreach ((string key, JsonElement value) in sync[i].Where(kv => !times.Contains(kv.Key)))
                {
                    Assert.That(background[i][key].GetRawText(), Is.EqualTo(value.GetRawText()), $"epoch {i + 1}, {key}");
                }
            }
        });
    }

    [TestCase("--batch-size", "0", "BatchSize")]
    [TestCase("--lr", "-1", "LearningRate")]
    [TestCase("--threads", "0", "Threads")]
    [TestCase("--epochs", "0", "Epochs")]
    [TestCase("--model", "resnet9", "--model")]
    public async Task InvalidOptionsExitWithBadInput(string option, string value, string named)
    {
        // Not disposed: Spectre.Console's AnsiConsole keeps the first Console.Out it writes to (see Cli.InvokeAsync).
#pragma warning disable CA2000
        var error = new StringWriter();
#pragma warning restore CA2000
        TextWriter original = Console.Error;
        Console.SetError(error);
        try
        {
            int code = await Invoke("train", option, value, "--data-path", "/nonexistent");
            Assert.Multiple(() =>
            {
                Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
                Assert.That(error.ToString(), Does.Contain(named));
            });
        }
        finally
        {
            Console.SetError(original);
        }
    }

    [Test]
    public async Task MissingDataFolderIsBadInput()
    {
        int code = await Invoke("train", "--data", "Mnist", "--data-path", "/nonexistent/autobatch", "--epochs", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
    }

    [Test]
    public async Task BatchLargerThanTheDataSetIsBadInput()
    {
        string data = TinyIdx.Write();
        int code = await Invoke("train", "--data", "Mnist", "--data-path", data, "--epochs", "1", "--batch-size", "1000", "--output", Path.Combine(data, "o"));
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
    }

    [Test]
    public async Task AnMlpIsBuiltForTheShapeOfTheData()
    {
        string data = TinyIdx.Write(side: 10);
        // Not disposed: Spectre.Console's AnsiConsole keeps the first Console.Out it writes to (see Cli.InvokeAsync).
#pragma warning disable CA2000
        var error = new StringWriter();
#pragma warning restore CA2000
        TextWriter original = Console.Out;
        Console.SetOut(error);
        try
        {
            int code = await Invoke("train", "--data", "Mnist", "--data-path", data, "--epochs", "1", "--batch-size", "16", "--model", "mlp", "--output", Path.Combine(data, "o"));
            Assert.That(code, Is.EqualTo(ExitCodes.Ok), error.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
