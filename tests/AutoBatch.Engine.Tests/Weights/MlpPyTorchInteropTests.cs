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
        PythonTorch.Require();
        string root = PythonTorch.RepositoryRoot();
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

        (int exit, string stdout, string stderr) = PythonTorch.Run(["check.py"], _dir.Path, Path.Combine(root, "tools"));
        Assert.That(exit, Is.Zero, stderr);
        string[] output = stdout.Trim().Split(' ');
        double torchLoss = double.Parse(output[0], CultureInfo.InvariantCulture);
        int torchCorrect = int.Parse(output[1], CultureInfo.InvariantCulture);

        TestContext.Out.WriteLine($"loss: ours {ours.MeanLoss:R}, torch {torchLoss:R}, difference {Math.Abs(ours.MeanLoss - torchLoss):G3}");
        Assert.That(torchLoss, Is.EqualTo(ours.MeanLoss).Within(1e-5));
        Assert.That(torchCorrect, Is.EqualTo(ours.Correct));
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
}
