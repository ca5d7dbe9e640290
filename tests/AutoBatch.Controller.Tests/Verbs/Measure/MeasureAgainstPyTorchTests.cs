using System.Text.Json;
using System.Text.Json.Nodes;
using AutoBatch.Controller.Tests.BadInput;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Controller.Tests.Verbs.Measure;

/// <summary>
/// The measure verb's numbers against an independent implementation: tools/check_measure.py rebuilds the batch, loads
/// the weights into tools/autobatch_models.py's PyTorch models and forms F̃ from its definition (docs/DESIGN.md) with
/// PyTorch hooks (per-sample gradients materialised in float64; in training mode the path-wise decomposition), then the
/// spectrum with torch.linalg.eigvalsh. No AutoBatch code is involved on that side. The checker itself must catch a
/// wrong number, so a report with one value moved by 1e-4 has to fail it.
/// </summary>
[TestFixture]
public sealed class MeasureAgainstPyTorchTests
{
    // ε of check_measure.py (differences allowed relative to Tr F̃, to a layer's own trace, or for F̃'s entries to the
    // largest entry). Measured on these tests' batches with ε = 1e-8 (float32 network on both sides, float64 products):
    // the largest misses were 9e-8 of a layer's trace (DenseNet-8, training mode) and 4.6e-8 of the largest entry;
    // 1e-6 leaves a margin of 10 and is still 100 times tighter than the 1e-4 change the checker must flag.
    private const string Tolerance = "1e-6";

    private string _data = null!;

    [OneTimeSetUp]
    public void CreateData() => _data = TinyIdx.Write(train: 64, test: 8);

    [OneTimeTearDown]
    public void DeleteData() => Directory.Delete(_data, recursive: true);

    [Test]
    public async Task ResNetInTrainingMode_AgreesWithPyTorch()
    {
        PythonTorch.Require();
        // A batch on which PyTorch's network gives the same F̃ in float32 and in float64 (within 1.3e-7 of the largest
        // entry, measured 2026-12-08), so agreeing with it tests the definition, not shared rounding. The batch this
        // test used before (seed 5) is chaotic at the 1e-4 level: float32 and float64 PyTorch differ there by 3.9e-4,
        // and engines with different rounding landed on either side (docs/TORCHSHARP.md, 'Measured').
        string report = await Measure("resnet8", "train", "--batch-size", "24", "--seed", "3", "--gram");
        foreach (string[] reference in new[] { Array.Empty<string>(), ["--float64"] })
        {
            (int exit, string output) = Check(report, reference);
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.Contain("layerTraces[layer2.0.bn1]").And.Contain("gram entries").And.EndWith("agree"));
        }
    }

    [Test]
    public async Task AReportWithOneGramEntryOffBy1e4OfTheLargest_IsFlagged()
    {
        PythonTorch.Require();
        string path = await Measure("resnet8", "eval", "--batch-size", "16", "--seed", "2", "--gram");
        JsonNode report = JsonNode.Parse(File.ReadAllText(path))!;
        JsonArray rows = report["gram"]!.AsArray();
        Assert.That(rows, Has.Count.EqualTo(16));
        double largest = rows.SelectMany(row => row!.AsArray()).Max(v => Math.Abs(v!.GetValue<double>()));
        rows[3]![11] = rows[3]![11]!.GetValue<double>() + (1e-4 * largest);
        File.WriteAllText(path, report.ToJsonString());

        (int exit, string output) = Check(path);
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output.Split('\n').Single(l => l.EndsWith("DIFFERS", StringComparison.Ordinal)), Does.StartWith("gram entries"));
    }

    [Test]
    public async Task EveryModelFamilyAndBatchNormMode_AgreesWithPyTorch()
    {
        PythonTorch.Require();
        foreach ((string model, string mode, string[] extra) in new[]
        {
            ("densenet8", "train", Array.Empty<string>()),
            ("resnet8", "eval", ["--per-sample-loop"]),
            ("mlp:64-32", "train", ["--per-sample-loop"]),
        })
        {
            string report = await Measure(model, mode, "--batch-size", "20", "--seed", "9");
            (int exit, string output) = Check(report, extra);
            Assert.That(exit, Is.Zero, $"{model} ({mode}):\n{output}");
            if (extra.Length > 0)
            {
                // The hooks' per-sample gradients against ordinary ones, one backward per sample.
                string line = output.Split('\n').Single(l => l.StartsWith("per-sample loop vs hooks", StringComparison.Ordinal));
                double spread = double.Parse(line[(line.LastIndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(spread, Is.LessThan(1e-5), $"{model}: {line}");
            }
        }
    }

    [TestCase(DataSetKind.Cifar10, "resnet8", "train")]
    [TestCase(DataSetKind.Cifar100, "mlp:32", "train")]
    [TestCase(DataSetKind.Svhn, "resnet8", "eval")]
    public async Task CifarAndSvhnBatches_AgreeWithPyTorch(DataSetKind kind, string model, string bnMode)
    {
        // The checker reads the data files itself (CIFAR's record layout, the five CIFAR-10 batches in order,
        // CIFAR-100's fine labels; SVHN's column-major MAT arrays and its label 10 for the digit 0), so a mix-up of
        // images, labels or channels on either side shows up as a different F̃.
        PythonTorch.Require();
        string data = BadData.Write(kind);
        try
        {
            string report = await Measure(model, bnMode, kind, data, "--batch-size", "12", "--seed", "4");
            (int exit, string output) = Check(report);
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.EndWith("agree"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    [Category("Slow")] // ~1 min: trains three models for 64 steps on Fashion-MNIST, six measures and checks at B = 128
    public async Task FashionMnistAfterTraining_EveryEntryOfFTildeWithinTheIssuesTolerance()
    {
        // The README's figures: real images, trained weights, B = 128, both BatchNorm modes, F̃ entry by entry at the
        // acceptance criterion of docs/DESIGN.md (every entry within 1e-5 of the largest).
        PythonTorch.Require();
        string data = DataSetLoader.DefaultFashionMnistDirectory;
        if (!Directory.Exists(data))
        {
            Assert.Ignore($"{data} is missing (Debian: dataset-fashion-mnist).");
        }

        string output = Directory.CreateTempSubdirectory("autobatch-check-").FullName;
        try
        {
            foreach (string model in new[] { "resnet8", "densenet8", "mlp" })
            {
                foreach (string mode in new[] { "train", "eval" })
                {
                    string report = await Measure(
                        model, mode, DataSetKind.FashionMnist, data, steps: 64, output, "--batch-size", "128", "--seed", "11", "--gram");
                    // Against PyTorch's network in float64: after 64 steps, ResNet-8 in training mode on this batch puts
                    // PyTorch 1.13 in float32 (and the native engine, the same code) 4.3e-5 of the largest entry away
                    // from the float64 F̃, the TorchSharp engine's BatchNorm kernels (float64 statistics) 1.8e-6
                    // (measured 2026-12-08): the float32 reference measured its own rounding, not the definition.
                    (int exit, string text) = Check(report, "--tolerance", "1e-5", "--float64"); // the later --tolerance wins
                    Assert.That(exit, Is.Zero, $"{model} ({mode}):\n{text}");
                    string entries = text.Split('\n').Single(l => l.StartsWith("gram entries", StringComparison.Ordinal));
                    TestContext.Out.WriteLine($"{model} ({mode}): {entries}");
                }
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Test]
    public async Task ACompressedSvhnFile_AgreesWithPyTorch()
    {
        // MATLAB v7 writes each variable as a zlib-compressed element (miCOMPRESSED), the real SVHN files included.
        PythonTorch.Require();
        string data = BadData.Write(DataSetKind.Svhn);
        try
        {
            const int Count = BadData.TrainCount;
            byte[] mat = new MatFileWriter()
                .AddSvhnImages(TestFiles.RandomBytes(Count * 3072, 31), Count)
                .AddDoubles("y", [.. Enumerable.Range(0, Count).Select(i => (double)(1 + (i % 10)))])
                .ToArray(compress: true);
            File.WriteAllBytes(Path.Combine(data, "train_32x32.mat"), mat);
            string report = await Measure("resnet8", "train", DataSetKind.Svhn, data, "--batch-size", "12", "--seed", "6");
            (int exit, string output) = Check(report);
            Assert.That(exit, Is.Zero, output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [TestCase("trace")]
    [TestCase("lambdaMax")]
    [TestCase("layer1.0.bn2")]
    public async Task AReportWithOneValueOffBy1e4_IsFlagged(string field)
    {
        PythonTorch.Require();
        string path = await Measure("resnet8", "train", "--batch-size", "16", "--seed", "2");
        JsonNode report = JsonNode.Parse(File.ReadAllText(path))!;
        JsonNode parent = field.Contains('.', StringComparison.Ordinal) ? report["layerTraces"]! : report;
        parent[field] = parent[field]!.GetValue<double>() * (1 + 1e-4);
        File.WriteAllText(path, report.ToJsonString());

        (int exit, string output) = Check(path);
        Assert.That(exit, Is.EqualTo(1), output);
        string flagged = output.Split('\n').Single(l => l.EndsWith("DIFFERS", StringComparison.Ordinal));
        Assert.That(flagged, Does.StartWith(field.Contains('.', StringComparison.Ordinal) ? $"layerTraces[{field}]" : field));
    }

    [Test]
    public async Task AReportOfInitialWeights_IsRefusedWithTheReason()
    {
        PythonTorch.Require();
        string report = Path.Combine(_data, "initial.json");
        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:16", "--data-path", _data, "--batch-size", "4");
        Assert.That(exit, Is.Zero, stderr);
        File.WriteAllText(report, stdout);

        (int code, string output) = Check(report);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(report).And.Contain("initial weights"));
    }

    [Test]
    public async Task AReportWhoseWeightsFileIsGone_IsRefusedNamingIt()
    {
        PythonTorch.Require();
        string report = await Measure("mlp:16", "train", "--batch-size", "4");
        string weights = JsonNode.Parse(File.ReadAllText(report))!["weightsPath"]!.GetValue<string>();
        File.Delete(weights);

        (int code, string output) = Check(report);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain(weights).And.Contain("cannot load the weights").And.Not.Contain("Traceback"));
        Assert.That(output, Does.Not.Contain($"{weights}: {weights}"));
    }

    /// <summary>Three training steps on the fixture's data, then <c>measure</c>; the path of the JSON report.</summary>
    private Task<string> Measure(string model, string bnMode, params string[] batch) =>
        Measure(model, bnMode, DataSetKind.FashionMnist, _data, steps: 3, _data, batch);

    /// <summary>Three training steps on <paramref name="data"/>, then <c>measure</c>; the path of the JSON report.</summary>
    private static Task<string> Measure(string model, string bnMode, DataSetKind kind, string data, params string[] batch) =>
        Measure(model, bnMode, kind, data, steps: 3, data, batch);

    /// <summary>Trains <paramref name="steps"/> steps of 16 images (so that the weights and BatchNorm's running statistics
    /// are not the initial ones), saves the weights into <paramref name="output"/>, runs <c>measure</c> on them and
    /// returns the path of the JSON report.</summary>
    private static async Task<string> Measure(
        string model, string bnMode, DataSetKind kind, string data, int steps, string output, params string[] batch)
    {
        Engines.SetThreads(1);
        (ImageDataSet train, _) = DataSetLoader.Load(kind, data);
        string weights = Path.Combine(output, $"{model.Replace(':', '_')}-{bnMode}.safetensors");
        var spec = ModelSpec.Parse(model, new InputShape(train.Channels, train.Height, train.Width), kind.ClassCount());
        using (ITrainingNetwork network = Engines.CreateNetwork(spec, SgdSettings.Paper, seed: 3))
        {
            var assembler = new BatchAssembler(train, ChannelNormalisation.FromData(train), AugmentationKind.None);
            for (int step = 0; step < steps; step++)
            {
                int[] indices = Enumerable.Range(step * 16, 16).Select(i => i % train.Count).Distinct().ToArray();
                var x = new float[indices.Length * assembler.SampleSize];
                var y = new long[indices.Length];
                assembler.FillPlain(indices, x, y);
                network.TrainStep(x, y, 0.05);
            }

            WeightsFile.Save(network, weights);
        }

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync(
            ["measure", "--model", model, "--data", kind.ToString(), "--data-path", data, "--weights", weights, "--bn-mode", bnMode, .. batch]);
        Assert.That(exit, Is.Zero, stderr);
        string path = Path.Combine(output, $"{model.Replace(':', '_')}-{bnMode}.json");
        File.WriteAllText(path, stdout);
        return path;
    }
    /// <summary>Runs tools/check_measure.py on a report; returns its exit code and its standard output and error.</summary>
    private static (int Exit, string Output) Check(string report, params string[] extra)
    {
        string tools = Path.Combine(PythonTorch.RepositoryRoot(), "tools");
        (int exit, string stdout, string stderr) = PythonTorch.Run(
            [Path.Combine(tools, "check_measure.py"), report, "--tolerance", Tolerance, .. extra], Path.GetTempPath(), tools);
        return (exit, (stdout + stderr).TrimEnd());
    }
}
