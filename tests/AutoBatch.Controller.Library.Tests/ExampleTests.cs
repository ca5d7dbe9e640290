using System.Diagnostics;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Runs;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>
/// examples/SmallCnn run as a user runs it (its own process, built beside these tests): a beacon map of its model on
/// a Fashion-MNIST subset, then the closed loop steered by it.
/// </summary>
public sealed class ExampleTests
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    private static (int ExitCode, string Output) Run(string folder, params string[] args)
    {
        // This test's build puts the example's under examples/SmallCnn/bin/<configuration>/<framework>/.
        string here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string framework = Path.GetFileName(here), configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        string root = here;
        while (!File.Exists(Path.Combine(root, "AutoBatch.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("AutoBatch.sln not found above " + here);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(Path.Combine(root, "examples", "SmallCnn", "bin", configuration, framework, "SmallCnn.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private static void Check(string folder, string output, int exitCode, int epochs)
    {
        Assert.That(exitCode, Is.Zero, output);
        string runs = Path.Combine(folder, "out");
        BeaconMap map = BeaconMapFile.Read(Path.Combine(runs, "small-cnn.json"));
        RunSummary summary = RunSession.ReadSummary(Path.Combine(runs, "run", "summary.json"));
        Assert.That(map.Grid.Model, Does.Match("^custom:SmallCnn@[0-9a-f]{16}$"));
        Assert.That(map.Runs, Has.Count.EqualTo(9));
        Assert.That(summary.Policy, Is.EqualTo("closed-loop"));
        Assert.That(summary.Completed, Is.True);
        Assert.That(summary.Epochs, Is.EqualTo(epochs));
        Assert.That(EpochLog.Read(Path.Combine(runs, "run", "epochs.jsonl")), Has.Count.EqualTo(epochs));
        Assert.That(output, Does.Contain($"epoch {epochs}: B = ").And.Contain("final test error"));
    }

    [Test]
    public void OnATinySubset_BuildsItsMapAndRunsTheClosedLoop()
    {
        Assume.That(Directory.Exists(FashionMnist), Is.True, "needs the Debian package dataset-fashion-mnist");
        string folder = TinyModels.Folder("example");

        (int exitCode, string output) = Run(folder, "512", "2", "out", "500");

        Check(folder, output, exitCode, epochs: 2);
    }

    [Test]
    [Category("Slow")]
    public void AsShipped_TrainsTheSmallCnnUnderTheClosedLoop()
    {
        Assume.That(Directory.Exists(FashionMnist), Is.True, "needs the Debian package dataset-fashion-mnist");
        string folder = TinyModels.Folder("example-full");

        (int exitCode, string output) = Run(folder, "10000", "6", "out");

        Check(folder, output, exitCode, epochs: 6);
        RunSummary summary = RunSession.ReadSummary(Path.Combine(folder, "out", "run", "summary.json"));
        // A 2-conv CNN on 10,000 Fashion-MNIST images: well under 20% after 6 epochs (measured: docs/LIBRARY.md).
        Assert.That(summary.FinalTestError, Is.LessThan(0.2));
        TestContext.Out.WriteLine(output);
    }
}
