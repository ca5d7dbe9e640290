using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Tests.Data;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Weights;

[TestFixture]
public sealed class WeightsFileTests
{
    private static readonly InputShape Mnist = new(1, 28, 28);

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static Network Create(string model, long seed) => Network.Create(ModelSpec.Parse(model, Mnist, 10), SgdSettings.Paper, seed);

    /// <summary>A few SGD steps on random data, so that BatchNorm buffers and the step counter leave their initial values.</summary>
    private static void Train(Network network, int steps)
    {
        const int batch = 8;
        var rng = new Pcg32(5);
        var x = new float[batch * Mnist.Size];
        var y = new long[batch];
        for (int s = 0; s < steps; s++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((rng.NextDouble() * 2) - 1);
            }

            for (int i = 0; i < batch; i++)
            {
                y[i] = rng.NextInt(10);
            }

            network.TrainStep(x, y, 0.01);
        }
    }

    private static void AssertSameState(Network expected, Network actual)
    {
        IReadOnlyList<StateTensor> a = expected.GetState();
        IReadOnlyList<StateTensor> b = actual.GetState();
        Assert.That(b.Select(t => t.Name), Is.EqualTo(a.Select(t => t.Name)));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.That(b[i].Data, Is.EqualTo(a[i].Data), a[i].Name);
        }
    }

    [TestCase("mlp")]
    [TestCase("resnet8")]
    [TestCase("densenet8")]
    public void SaveThenLoad_IntoANetworkWithAnotherSeed_RestoresEveryByte(string model)
    {
        string path = Path.Combine(_dir.Path, model + ".safetensors");
        using Network source = Create(model, seed: 1);
        Train(source, steps: 2);
        using Network target = Create(model, seed: 2);
        Assert.That(target.GetState()[0].Data, Is.Not.EqualTo(source.GetState()[0].Data), "the seeds must give different weights");

        WeightsFile.Save(source, path);
        WeightsFile.Load(target, path);

        AssertSameState(source, target);
    }

    [Test]
    public void Save_RecordsFormatModelInputAndClasses_OverridingCallerKeys()
    {
        string path = Path.Combine(_dir.Path, "meta.safetensors");
        using Network network = Create("mlp:16", seed: 1);

        WeightsFile.Save(network, path, new Dictionary<string, string> { ["epoch"] = "3", [WeightsFile.FormatKey] = "tf" });

        Assert.That(SafeTensorsFile.ReadMetadata(path), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["epoch"] = "3",
            ["format"] = "pt",
            ["autobatch.model"] = "mlp:16",
            ["autobatch.input"] = "1x28x28",
            ["autobatch.classes"] = "10",
        }));
    }

    [Test]
    public void Load_ResNetWeightsIntoAnMlp_ListsMissingAndUnexpectedTensors()
    {
        string path = Path.Combine(_dir.Path, "resnet8.safetensors");
        using (Network resnet = Create("resnet8", seed: 1))
        {
            WeightsFile.Save(resnet, path);
        }

        using Network mlp = Create("mlp", seed: 1);
        byte[] before = mlp.GetState()[0].Data;

        var ex = Assert.Throws<UserInputException>(() => WeightsFile.Load(mlp, path));

        Assert.That(ex.Message, Does.StartWith(path + ": does not match the mlp:500-500 model"));
        Assert.That(ex.Message, Does.Contain("missing: [fc1.weight, fc1.bias, fc2.weight, fc2.bias, fc3.weight, fc3.bias]"));
        Assert.That(ex.Message, Does.Contain("unexpected: [conv1.weight, bn1.weight, bn1.bias, bn1.running_mean"));
        Assert.That(ex.Message, Does.Contain("The file was saved from the resnet8 model."));
        Assert.That(mlp.GetState()[0].Data, Is.EqualTo(before), "a failed load must leave the network unchanged");
    }

    [Test]
    public void Load_WeightsOfAnotherWidth_NamesTheTensorAndBothShapes()
    {
        string path = Path.Combine(_dir.Path, "mlp32.safetensors");
        using (Network wide = Create("mlp:32", seed: 1))
        {
            WeightsFile.Save(wide, path);
        }

        using Network narrow = Create("mlp:16", seed: 1);

        Assert.That(
            () => WeightsFile.Load(narrow, path),
            Throws.InstanceOf<UserInputException>().With.Message.Contain(
                $"{path}: tensor 'fc1.weight' is Float32 [32, 784], the mlp:16 model expects Float32 [16, 784]."));
    }

    [Test]
    public void Load_WeightsForAnotherInputShape_SaysWhichShapeTheFileWasSavedFor()
    {
        // The same model name (mlp:16) on CIFAR-sized inputs: only the input layer differs, so without the
        // metadata the user would see a bare shape mismatch.
        string path = Path.Combine(_dir.Path, "mnist-mlp.safetensors");
        using (Network mnist = Create("mlp:16", seed: 1))
        {
            WeightsFile.Save(mnist, path);
        }

        using Network cifar = Network.Create(ModelSpec.Parse("mlp:16", new InputShape(3, 32, 32), 100), SgdSettings.Paper, 1);

        Assert.That(
            () => WeightsFile.Load(cifar, path),
            Throws.InstanceOf<UserInputException>().With.Message.EqualTo(
                $"{path}: tensor 'fc1.weight' is Float32 [16, 784], the mlp:16 model expects Float32 [16, 3072]. "
                + "The file was saved for 1x28x28 input images; this network takes 3x32x32. "
                + "The file was saved for 10 classes; this network has 100."));
    }

    [Test]
    public void Load_TensorOfTheWrongDType_NamesTheTensorAndBothTypes()
    {
        string path = Path.Combine(_dir.Path, "dtype.safetensors");
        using Network network = Create("mlp:16", seed: 1);
        StateTensor[] state = [.. network.GetState()];
        int bias = Array.FindIndex(state, t => t.Name == "fc1.bias");
        state[bias] = state[bias] with { DType = StateDType.Int64, Data = new byte[16 * 8] };
        SafeTensorsFile.Write(path, state);

        Assert.That(
            () => WeightsFile.Load(network, path),
            Throws.InstanceOf<UserInputException>().With.Message.Contain(
                $"{path}: tensor 'fc1.bias' is Int64 [16], the mlp:16 model expects Float32 [16]."));
    }

    [Test]
    public void Load_TruncatedFile_ThrowsInvalidDataNamingTheFile()
    {
        string path = Path.Combine(_dir.Path, "cut.safetensors");
        using Network network = Create("mlp:16", seed: 1);
        WeightsFile.Save(network, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);

        Assert.That(
            () => WeightsFile.Load(network, path),
            Throws.InstanceOf<UserInputException>().With.Message.Contain(path).And.Message.Contain("beyond the"));
    }

    [Test]
    public void StateNames_MlpAreTheDocumentedPyTorchNames()
    {
        using Network network = Create("mlp", seed: 1);

        Assert.That(
            network.GetState().Select(t => $"{t.Name} {t.DType} [{string.Join(", ", t.Shape)}]"),
            Is.EqualTo(new[]
            {
                "fc1.weight Float32 [500, 784]", "fc1.bias Float32 [500]",
                "fc2.weight Float32 [500, 500]", "fc2.bias Float32 [500]",
                "fc3.weight Float32 [10, 500]", "fc3.bias Float32 [10]",
            }));
    }

    [Test]
    public void StateNames_ResNetFollowTheDocumentedPattern([Values(8, 14)] int depth)
    {
        using Network network = Create($"resnet{depth}", seed: 1);
        int units = (depth - 2) / 6;
        var expected = new List<string> { "conv1.weight" };
        expected.AddRange(BatchNorm("bn1"));
        for (int stage = 1; stage <= 3; stage++)
        {
            for (int u = 0; u < units; u++)
            {
                string unit = $"layer{stage}.{u}.";
                expected.Add(unit + "conv1.weight");
                expected.AddRange(BatchNorm(unit + "bn1"));
                expected.Add(unit + "conv2.weight");
                expected.AddRange(BatchNorm(unit + "bn2"));
            }
        }

        expected.AddRange(["fc.weight", "fc.bias"]);

        Assert.That(network.GetState().Select(t => t.Name), Is.EqualTo(expected));
    }

    [TestCase("densenet8", new[] { 2, 2, 2 }, false)]
    [TestCase("densenet:1-2/4-4/8/b/0.5", new[] { 1, 2 }, true)]
    public void StateNames_DenseNetFollowTheDocumentedPattern(string model, int[] layers, bool bottleneck)
    {
        using Network network = Create(model, seed: 1);
        var expected = new List<string> { "conv0.weight" };
        for (int b = 1; b <= layers.Length; b++)
        {
            for (int l = 0; l < layers[b - 1]; l++)
            {
                string layer = $"block{b}.{l}.";
                expected.AddRange(BatchNorm(layer + "bn1"));
                expected.Add(layer + "conv1.weight");
                if (bottleneck)
                {
                    expected.AddRange(BatchNorm(layer + "bn2"));
                    expected.Add(layer + "conv2.weight");
                }
            }

            if (b < layers.Length)
            {
                expected.AddRange(BatchNorm($"trans{b}.bn"));
                expected.Add($"trans{b}.conv.weight");
            }
        }

        expected.AddRange(BatchNorm("bn_final"));
        expected.AddRange(["fc.weight", "fc.bias"]);

        Assert.That(network.GetState().Select(t => t.Name), Is.EqualTo(expected));
    }

    private static string[] BatchNorm(string prefix) =>
        [$"{prefix}.weight", $"{prefix}.bias", $"{prefix}.running_mean", $"{prefix}.running_var", $"{prefix}.num_batches_tracked"];
}
