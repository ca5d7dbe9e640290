using System.Text.Json;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Tests.BadInput;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Controller.Tests.Verbs.Measure;

/// <summary>
/// The measure verb end to end, in-process, on a tiny IDX data set written by the test: its JSON (which must be all
/// that reaches standard output) against the relations of docs/DESIGN.md, 'The measures', and against a direct probe of
/// the same weights and batch; bad input against exit code 2 and a message naming the option or file.
/// </summary>
[TestFixture]
public sealed class MeasureVerbTests
{
    private const int TrainCount = 40;

    private string _data = null!;

    [OneTimeSetUp]
    public void CreateData() => _data = TinyIdx.Write(train: TrainCount, test: 8);

    [OneTimeTearDown]
    public void DeleteData() => Directory.Delete(_data, recursive: true);

    private string WeightsPath(string model, long seed)
    {
        string path = Path.Combine(_data, $"{model.Replace(':', '_')}-{seed}.safetensors");
        using ITrainingNetwork network = Engines.CreateNetwork(ModelSpec.Parse(model, new InputShape(1, 28, 28), 10), SgdSettings.Paper, seed);
        WeightsFile.Save(network, path);
        return path;
    }

    [Test]
    public async Task SeededBatchWithWeightsFile_PrintsConsistentMeasures_EqualToADirectProbe()
    {
        string weights = WeightsPath("mlp:32", seed: 7);

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync(
            "measure", "--model", "mlp:32", "--data-path", _data, "--weights", weights, "--seed", "3", "--batch-size", "12", "--lr", "0.1");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement r = json.RootElement;
        Assert.That(r.GetProperty("model").GetString(), Is.EqualTo("mlp:32"));
        Assert.That(r.GetProperty("weightsSource").GetString(), Is.EqualTo("file"));
        Assert.That(r.GetProperty("weightsPath").GetString(), Is.EqualTo(weights));
        Assert.That(r.GetProperty("indexSource").GetString(), Is.EqualTo("seeded"));
        Assert.That(r.GetProperty("rankTolerance").GetDouble(), Is.EqualTo(12 * 1.1920928955078125e-07), "the default applied, B · ε_float32");
        Assert.That(r.GetProperty("rankToleranceSource").GetString(), Is.EqualTo("default"));
        Assert.That(r.GetProperty("device").GetString(), Is.EqualTo("cpu"), "the default device");
        Assert.That(r.GetProperty("parameters").GetInt64(), Is.EqualTo((784 * 32) + 32 + (32 * 10) + 10));
        int[] indices = AssertConsistent(r, expectedBatch: 12, expectedLearningRate: 0.1, expectedLayers: ["fc1", "fc2"]);
        Assert.That(indices, Is.Unique.And.All.InRange(0, TrainCount - 1));
        Assert.That(Paths(r), Is.EqualTo(new[] { "Ghost", "Ghost" }), "Linear layers: ghost by the cost model");

        // The same weights and batch probed directly: the verb loaded the file and used the reported samples.
        ProbeReading reference = ProbeDirectly("mlp:32", weights, seed: 99, indices, trainMode: true);
        Assert.That(r.GetProperty("trace").GetDouble(), Is.EqualTo(reference.Trace).Within(1e-9).Percent);
        Assert.That(r.GetProperty("rank").GetInt32(), Is.EqualTo(reference.Rank));
        Assert.That(r.GetProperty("condition").GetDouble(), Is.EqualTo(reference.StepCondition).Within(1e-9).Percent);
    }

    [Test]
    public async Task ExplicitIndicesWithInitialWeightsInEvalMode_ReportsThemAsGiven()
    {
        (int exit, string stdout, string stderr) = await Cli.InvokeAsync(
            "measure", "--model", "resnet8", "--data-path", _data, "--indices", "5,0,39,17,8,23", "--seed", "4", "--bn-mode", "eval",
            "--gram-mode", "materialise", "--rank-tolerance", "1e-5");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement r = json.RootElement;
        Assert.That(r.GetProperty("weightsSource").GetString(), Is.EqualTo("initial"));
        Assert.That(r.GetProperty("weightsPath").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(r.GetProperty("seed").GetInt64(), Is.EqualTo(4));
        Assert.That(r.GetProperty("indexSource").GetString(), Is.EqualTo("explicit"));
        Assert.That(r.GetProperty("bnMode").GetString(), Is.EqualTo("eval"));
        Assert.That(r.GetProperty("gramMode").GetString(), Is.EqualTo("Materialise"));
        Assert.That(r.GetProperty("rankTolerance").GetDouble(), Is.EqualTo(1e-5));
        Assert.That(r.GetProperty("rankToleranceSource").GetString(), Is.EqualTo("option"));
        Assert.That(r.GetProperty("augmentation").GetString(), Is.EqualTo("None"));
        string[] layers =
        [
            "conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1", "layer1.0.conv2", "layer1.0.bn2", "layer2.0.conv1", "layer2.0.bn1",
            "layer2.0.conv2", "layer2.0.bn2", "layer3.0.conv1", "layer3.0.bn1", "layer3.0.conv2", "layer3.0.bn2", "fc",
        ];
        int[] indices = AssertConsistent(r, expectedBatch: 6, expectedLearningRate: 0.05, expectedLayers: layers);
        Assert.That(indices, Is.EqualTo(new[] { 5, 0, 39, 17, 8, 23 }));
        // --gram-mode materialise: every conv's rows from its own backward, BatchNorm and the Linear layer after it.
        Assert.That(Paths(r), Is.EqualTo(layers.Select(l => l.Contains("conv", StringComparison.Ordinal) ? "Fused" : "Rows")));

        // Without --weights the verb measures the network initialised from --seed.
        ProbeReading reference = ProbeDirectly("resnet8", weights: null, seed: 4, indices, trainMode: false, GramMode.Materialise, 1e-5);
        Assert.That(r.GetProperty("trace").GetDouble(), Is.EqualTo(reference.Trace).Within(1e-9).Percent);
        Assert.That(r.GetProperty("rank").GetInt32(), Is.EqualTo(reference.Rank));
    }

    [Test]
    public async Task BatchOfOne_ReportsItsOneEigenvalueAndNoSpread()
    {
        // F̃ is the 1 x 1 matrix |g|²: its one eigenvalue, the trace and |ḡ|² are the same number, c = 1, and tr Σ
        // (which divides by B − 1) and B_simple are undefined: null, not 0.
        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--indices", "17", "--seed", "5");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement r = json.RootElement;
        double trace = r.GetProperty("trace").GetDouble();
        ProbeReading reference = ProbeDirectly("mlp:32", weights: null, seed: 5, [17], trainMode: true);
        Assert.Multiple(() =>
        {
            Assert.That(r.GetProperty("status").GetString(), Is.EqualTo("Ok"));
            Assert.That(r.GetProperty("batchSize").GetInt32(), Is.EqualTo(1));
            Assert.That(trace, Is.GreaterThan(0).And.EqualTo(reference.Trace).Within(1e-9).Percent);
            Assert.That(r.GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()), Is.EqualTo(new[] { trace }).Within(1e-12).Percent);
            Assert.That(r.GetProperty("rank").GetInt32(), Is.EqualTo(1));
            Assert.That(r.GetProperty("condition").GetDouble(), Is.EqualTo(1.0));
            Assert.That(r.GetProperty("meanGradientSquaredNorm").GetDouble(), Is.EqualTo(trace).Within(1e-12).Percent);
            Assert.That(r.GetProperty("varianceTrace").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(r.GetProperty("noiseScale").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task NonFiniteWeights_ReportNullForEveryMeasure_NotZeros()
    {
        // One NaN weight makes every per-sample gradient NaN: the probe's numbers are placeholders, and a script that
        // reads the trace without looking at the status must find null, not 0.
        string path = WeightsPath("mlp:32", seed: 2);
        IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.ReadMetadata(path);
        List<StateTensor> tensors = [.. SafeTensorsFile.Read(path)];
        StateTensor fc1 = tensors.Single(t => t.Name == "fc1.weight");
        BitConverter.GetBytes(float.NaN).CopyTo(fc1.Data, 0);
        string nan = Path.Combine(_data, "nan.safetensors");
        SafeTensorsFile.Write(nan, tensors, metadata);

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--weights", nan, "--batch-size", "8");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement r = json.RootElement;
        Assert.That(r.GetProperty("status").GetString(), Is.EqualTo("NonFinite"));
        Assert.Multiple(() =>
        {
            foreach (string name in new[]
            {
                "eigenvalues", "rank", "condition", "energy", "trace", "lambdaMax", "lambdaMinPositive", "meanGradientSquaredNorm",
                "varianceTrace", "noiseScale",
            })
            {
                Assert.That(r.GetProperty(name).ValueKind, Is.EqualTo(JsonValueKind.Null), name);
            }

            Assert.That(r.GetProperty("layerTraces").EnumerateObject().Select(p => p.Value.ValueKind), Is.All.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task AugmentOnTheMlp_MeasuresPlainImages_AsTheMlpTrainsOnThem()
    {
        (int exit, string stdout, string stderr) = await Cli.InvokeAsync(
            "measure", "--model", "mlp:32", "--data-path", _data, "--indices", "1,2,3", "--augment");
        (int plainExit, string plain, _) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--indices", "1,2,3");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        Assert.That(plainExit, Is.EqualTo(ExitCodes.Ok));
        using var json = JsonDocument.Parse(stdout);
        using var plainJson = JsonDocument.Parse(plain);
        Assert.That(json.RootElement.GetProperty("augmentation").GetString(), Is.EqualTo("None"));
        Assert.That(json.RootElement.GetProperty("trace").GetDouble(), Is.EqualTo(plainJson.RootElement.GetProperty("trace").GetDouble()));
        Assert.That(stderr, Does.Contain("--augment: the MLP trains on plain images"));
    }

    [Test]
    public async Task AFolderWithoutTestFiles_IsEnough_MeasureProbesTrainingImagesOnly()
    {
        string trainOnly = Path.Combine(_data, "train-only");
        Directory.CreateDirectory(trainOnly);
        foreach (string name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" })
        {
            File.Copy(Path.Combine(_data, name), Path.Combine(trainOnly, name));
        }

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", trainOnly, "--indices", "1,2,3");
        (int full, string reference, _) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--indices", "1,2,3");

        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), stderr);
        Assert.That(full, Is.EqualTo(ExitCodes.Ok));
        using var json = JsonDocument.Parse(stdout);
        using var referenceJson = JsonDocument.Parse(reference);
        Assert.That(json.RootElement.GetProperty("trace").GetDouble(), Is.EqualTo(referenceJson.RootElement.GetProperty("trace").GetDouble()));
    }

    [Test]
    public async Task MissingWeightsFile_ExitsWithBadInputNamingTheOptionAndFile()
    {
        string missing = Path.Combine(_data, "absent.safetensors");

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--weights", missing);

        Assert.That(exit, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("--weights: file '" + missing + "' does not exist"));
    }

    [TestCase("--indices", "3,40", "--indices: index 40 is outside the training set, whose indices are 0..39.")]
    [TestCase("--indices", "3,7,3", "--indices: index 3 appears more than once")]
    [TestCase("--batch-size", "41", "--batch-size: 41 is larger than the training set (40 samples)")]
    public async Task BadBatch_ExitsWithBadInputNamingTheOption(string option, string value, string expected)
    {
        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, option, value);

        Assert.That(exit, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain(expected));
    }

    [Test]
    public async Task WeightsOfAnotherModel_ExitsWithBadInputListingTheMismatch()
    {
        string weights = WeightsPath("resnet8", seed: 1);

        (int exit, string stdout, string stderr) = await Cli.InvokeAsync("measure", "--model", "mlp:32", "--data-path", _data, "--weights", weights, "--batch-size", "4");

        Assert.That(exit, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain($"{weights}: does not match the mlp:32 model; missing: [fc1.weight, fc1.bias"));
        Assert.That(stderr, Does.Contain("The file was saved from the resnet8 model."));
    }

    /// <summary>Checks the relations between the reported numbers (docs/DESIGN.md); returns the indices.</summary>
    private static int[] AssertConsistent(JsonElement r, int expectedBatch, double expectedLearningRate, string[] expectedLayers)
    {
        int batch = r.GetProperty("batchSize").GetInt32();
        int[] indices = [.. r.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32())];
        double[] eigen = [.. r.GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble())];
        int rank = r.GetProperty("rank").GetInt32();
        double trace = r.GetProperty("trace").GetDouble();
        double lr = r.GetProperty("learningRate").GetDouble();
        double g2 = r.GetProperty("meanGradientSquaredNorm").GetDouble();
        double variance = r.GetProperty("varianceTrace").GetDouble();

        Assert.That(r.GetProperty("status").GetString(), Is.EqualTo("Ok"));
        Assert.That(batch, Is.EqualTo(expectedBatch));
        Assert.That(indices, Has.Length.EqualTo(batch));
        Assert.That(lr, Is.EqualTo(expectedLearningRate));
        Assert.That(eigen, Has.Length.EqualTo(batch).And.Ordered.And.All.GreaterThanOrEqualTo(0));
        Assert.That(eigen.Sum(), Is.EqualTo(trace).Within(1e-9 * trace));
        Assert.That(rank, Is.InRange(1, batch));
        double lambdaMax = eigen[^1];
        double lambdaR = eigen[batch - rank];
        Assert.That(r.GetProperty("lambdaMax").GetDouble(), Is.EqualTo(lambdaMax));
        Assert.That(r.GetProperty("lambdaMinPositive").GetDouble(), Is.EqualTo(lambdaR));
        Assert.That(r.GetProperty("condition").GetDouble(), Is.EqualTo(Math.Sqrt(lambdaMax / lambdaR)).Within(1e-12).Percent);
        Assert.That(r.GetProperty("energy").GetDouble(), Is.EqualTo(lr / batch * Math.Sqrt(trace)).Within(1e-12).Percent);
        Assert.That(variance, Is.EqualTo((trace - (batch * g2)) / (batch - 1)).Within(1e-9 * trace));
        Assert.That(r.GetProperty("noiseScale").GetDouble(), Is.EqualTo(variance / g2).Within(1e-9).Percent);
        Dictionary<string, double> layers = r.GetProperty("layerTraces").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.That(layers.Keys, Is.EqualTo(expectedLayers));
        Assert.That(layers.Values.Sum(), Is.EqualTo(trace).Within(1e-9 * trace));
        Assert.That(r.GetProperty("gramSeconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(r.GetProperty("eigenSeconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        // Conv layers take the fused path at these sizes, and their backward's time is reported; an MLP has none.
        bool convs = expectedLayers.Any(l => l.Contains("conv", StringComparison.Ordinal));
        Assert.That(r.GetProperty("rowsSeconds").GetDouble(), convs ? Is.GreaterThan(0) : Is.Zero);
        Assert.That(r.GetProperty("gram").ValueKind, Is.EqualTo(JsonValueKind.Null), "F̃ itself only with --gram");
        return indices;
    }

    private static string[] Paths(JsonElement r) =>
        [.. r.GetProperty("layerPaths").EnumerateObject().Select(p => p.Value.GetString()!)];

    private ProbeReading ProbeDirectly(
        string model, string? weights, long seed, int[] indices, bool trainMode, GramMode gramMode = GramMode.Auto, double? rankTolerance = null)
    {
        Engines.SetThreads(1);
        (ImageDataSet train, _) = DataSetLoader.Load(DataSetKind.FashionMnist, _data);
        using ITrainingNetwork network = Engines.CreateNetwork(ModelSpec.Parse(model, new InputShape(1, 28, 28), 10), SgdSettings.Paper, seed);
        if (weights is not null)
        {
            WeightsFile.Load(network, weights);
        }

        var assembler = new BatchAssembler(train, ChannelNormalisation.FromData(train), AugmentationKind.None);
        var x = new float[indices.Length * assembler.SampleSize];
        var y = new long[indices.Length];
        assembler.FillPlain(indices, x, y);
        return network.Probe(x, y, 0.1, trainMode, new ProbeSettings { Mode = gramMode, RankTolerance = rankTolerance });
    }
}
