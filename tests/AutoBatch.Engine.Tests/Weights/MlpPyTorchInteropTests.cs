using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Tests.Data;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Weights;

/// <summary>
/// An independent reference for the weights format: PyTorch itself. The docs/WEIGHTS.md snippet, run verbatim by
/// the system Python (Debian's python3-torch), loads a file we wrote into a plain torch.nn MLP, and its mean loss
/// on a fixed batch must equal ours.
/// </summary>
[TestFixture]
public sealed class MlpPyTorchInteropTests
{
    private const string Python = "/usr/bin/python3";
    private const string SnippetMarker = "<!-- snippet: mlp-load";

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    [Category("Slow")] // ~10 s: Python starts twice and imports torch
    public void DocumentedSnippet_LoadsOurMlpIntoTorch_WithTheSameLoss()
    {
        RequireTorch();
        string root = RepositoryRoot();
        const int batch = 64;
        var spec = ModelSpec.Parse("mlp", new InputShape(1, 28, 28), 10);
        using Network network = Network.Create(spec, SgdSettings.Paper, seed: 3);
        (float[] x, long[] y) = RandomBatch(batch, spec.Input.Size, seed: 11);
        network.TrainStep(x, y, 0.1); // so that the file holds trained rather than initial weights
        Evaluation ours = network.Evaluate(x, y);

        WeightsFile.Save(network, Path.Combine(_dir.Path, "mlp.safetensors"));
        File.WriteAllBytes(Path.Combine(_dir.Path, "x.bin"), MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(_dir.Path, "y.bin"), MemoryMarshal.AsBytes(y.AsSpan()).ToArray());
        string script = Snippet(Path.Combine(root, "docs", "WEIGHTS.md")) + """

            x = torch.frombuffer(bytearray(open("x.bin", "rb").read()), dtype=torch.float32).reshape(-1, 1, 28, 28)
            y = torch.frombuffer(bytearray(open("y.bin", "rb").read()), dtype=torch.int64)
            with torch.no_grad():
                logits = model(x)
                loss = torch.nn.functional.cross_entropy(logits, y).item()
                correct = int((logits.argmax(1) == y).sum())
            print(repr(loss), correct)
            """;
        File.WriteAllText(Path.Combine(_dir.Path, "check.py"), script);

        string[] output = Run(Python, "check.py", _dir.Path, Path.Combine(root, "tools")).Split(' ');
        double torchLoss = double.Parse(output[0], CultureInfo.InvariantCulture);
        int torchCorrect = int.Parse(output[1], CultureInfo.InvariantCulture);

        TestContext.Out.WriteLine($"loss: ours {ours.MeanLoss:R}, torch {torchLoss:R}, difference {Math.Abs(ours.MeanLoss - torchLoss):G3}");
        Assert.That(torchLoss, Is.EqualTo(ours.MeanLoss).Within(1e-5));
        Assert.That(torchCorrect, Is.EqualTo(ours.Correct));
    }

    private static void RequireTorch()
    {
        if (!File.Exists(Python))
        {
            Assert.Ignore($"{Python} is not installed; the PyTorch interop check needs it with the torch module (Debian: python3-torch).");
        }

        try
        {
            Run(Python, "-c \"import torch\"", Path.GetTempPath(), null);
        }
        catch (InvalidOperationException e)
        {
            Assert.Ignore($"{Python} cannot import torch (Debian: install python3-torch): {e.Message}");
        }
    }

    private static (float[] X, long[] Y) RandomBatch(int batch, int size, ulong seed)
    {
        var rng = new Pcg32(seed);
        var x = new float[batch * size];
        var y = new long[batch];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((rng.NextDouble() * 4) - 2);
        }

        for (int i = 0; i < batch; i++)
        {
            y[i] = rng.NextInt(10);
        }

        return (x, y);
    }

    /// <summary>The first python code block after the snippet marker.</summary>
    private static string Snippet(string markdown)
    {
        string[] lines = File.ReadAllLines(markdown);
        int marker = Array.FindIndex(lines, l => l.StartsWith(SnippetMarker, StringComparison.Ordinal));
        Assert.That(marker, Is.GreaterThanOrEqualTo(0), $"{markdown} lacks the '{SnippetMarker}' marker");
        int start = Array.FindIndex(lines, marker, l => l.Trim() == "```python");
        int end = Array.FindIndex(lines, start + 1, l => l.Trim() == "```");
        Assert.That(start > marker && end > start, Is.True, $"{markdown}: no ```python block after the marker");
        return string.Join('\n', lines[(start + 1)..end]) + "\n";
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutoBatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No AutoBatch.sln above {TestContext.CurrentContext.TestDirectory}.");
    }

    /// <summary>Runs a process to completion; returns its trimmed stdout or throws with its stderr.</summary>
    private static string Run(string program, string arguments, string workingDirectory, string? pythonPath)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (pythonPath is not null)
        {
            start.Environment["PYTHONPATH"] = pythonPath;
        }

        // Keep the checkout clean: no __pycache__ folder in tools/.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish within 2 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result.Trim();
    }
}
