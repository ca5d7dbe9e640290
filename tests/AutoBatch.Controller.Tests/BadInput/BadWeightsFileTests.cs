using AutoBatch.Engine.Runtime;
using System.Buffers.Binary;
using System.Text;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// Bad safetensors files given to <c>measure --weights</c>: exit code 2, a message naming the file and what
/// was expected, no report on standard output. The format itself is covered in Engine.Tests/Weights.
/// </summary>
[TestFixture]
public sealed class BadWeightsFileTests
{
    private string _data = null!;

    [OneTimeSetUp]
    public void CreateData() => _data = BadData.Write(DataSetKind.Mnist);

    [OneTimeTearDown]
    public void DeleteData() => Directory.Delete(_data, recursive: true);

    private static IReadOnlyList<StateTensor> State(string model, InputShape input)
    {
        using ITrainingNetwork network = Engines.CreateNetwork(ModelSpec.Parse(model, input, 10), SgdSettings.Paper, 1);
        return network.GetState(StateSet.Model);
    }

    private string File(string name, byte[] bytes)
    {
        string path = Path.Combine(_data, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Saved(string name, IReadOnlyList<StateTensor> tensors)
    {
        string path = Path.Combine(_data, name);
        SafeTensorsFile.Write(path, tensors);
        return path;
    }

    private static Task<CliResult> Measure(string data, string weights, params string[] more) =>
        Cli.InvokeAsync(["measure", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-size", "4", "--weights", weights, .. more]);

    private static void AssertBadInput(CliResult r, string expected) =>
        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            Assert.That(r.Stdout, Is.Empty);
        });

    [Test]
    public async Task TheUnchangedStateLoads()
    {
        // The control for the cases below, which each change one thing of this state.
        string path = Saved("good.safetensors", State("mlp:32", new InputShape(1, 28, 28)));
        CliResult r = await Measure(_data, path);
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.Ok), r.All);
    }

    [Test]
    public async Task ATruncatedLengthPrefixIsNamed()
    {
        string path = File("prefix.safetensors", [0x40, 0, 0, 0]);
        AssertBadInput(await Measure(_data, path), $"measure failed: {path}: not a valid safetensors file: expected at least 8 bytes (the little-endian u64 header length), the file has 4.");
    }

    [Test]
    public async Task AHeaderLengthBeyondTheFileIsNamed()
    {
        byte[] bytes = new byte[8 + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 4096);
        string path = File("beyond.safetensors", bytes);
        AssertBadInput(await Measure(_data, path), $"{path}: not a valid safetensors file: the header length is 4096 bytes, but only 16 bytes follow the 8-byte length prefix.");
    }

    [Test]
    public async Task ATruncatedHeaderIsNamed()
    {
        // A real file cut inside its JSON header: the length prefix now points past the end.
        string good = Saved("whole.safetensors", State("mlp:32", new InputShape(1, 28, 28)));
        byte[] bytes = System.IO.File.ReadAllBytes(good);
        ulong header = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string path = File("cut-header.safetensors", bytes[..(8 + ((int)header / 2))]);
        AssertBadInput(await Measure(_data, path), $"{path}: not a valid safetensors file: the header length is {header} bytes, but only {header / 2} bytes follow");
    }

    [Test]
    public async Task ATextFileIsNamed()
    {
        string path = File("notes.safetensors", Encoding.ASCII.GetBytes("these are not the weights you are looking for"));
        AssertBadInput(await Measure(_data, path), $"{path}: not a valid safetensors file: the header length is ");
    }

    [Test]
    public async Task AWrongTensorNameIsListed()
    {
        StateTensor[] state = [.. State("mlp:32", new InputShape(1, 28, 28))];
        int at = Array.FindIndex(state, t => t.Name == "fc2.weight");
        state[at] = state[at] with { Name = "classifier.weight" };
        string path = Saved("renamed.safetensors", state);
        AssertBadInput(await Measure(_data, path), $"{path}: does not match the mlp:32 model; missing: [fc2.weight], unexpected: [classifier.weight].");
    }

    [Test]
    public async Task AWrongShapeIsNamedWithBothShapesAndTheSavedModel()
    {
        string path = Path.Combine(_data, "mlp16.safetensors");
        using (ITrainingNetwork narrow = Engines.CreateNetwork(ModelSpec.Parse("mlp:16", new InputShape(1, 28, 28), 10), SgdSettings.Paper, 1))
        {
            WeightsFile.Save(narrow, path);
        }

        AssertBadInput(
            await Measure(_data, path),
            $"{path}: tensor 'fc1.weight' is Float32 [16, 784], the mlp:32 model expects Float32 [32, 784]. The file was saved from the mlp:16 model.");
    }

    [Test]
    public async Task AWrongDTypeIsNamedWithBothTypes()
    {
        StateTensor[] state = [.. State("mlp:32", new InputShape(1, 28, 28))];
        int at = Array.FindIndex(state, t => t.Name == "fc1.bias");
        state[at] = state[at] with { DType = StateDType.Int64, Data = new byte[32 * 8] };
        string path = Saved("int-bias.safetensors", state);
        AssertBadInput(await Measure(_data, path), $"{path}: tensor 'fc1.bias' is Int64 [32], the mlp:32 model expects Float32 [32].");
    }

    [Test]
    public async Task WeightsForAnotherInputShapeSayWhichShapeTheyWereSavedFor()
    {
        // MLP weights trained on 1x28x28 images, measured on CIFAR-10: the same model name, another input layer.
        string cifar = BadData.Write(DataSetKind.Cifar10);
        try
        {
            string path = Path.Combine(_data, "mnist-mlp32.safetensors");
            using (ITrainingNetwork mnist = Engines.CreateNetwork(ModelSpec.Parse("mlp:32", new InputShape(1, 28, 28), 10), SgdSettings.Paper, 1))
            {
                WeightsFile.Save(mnist, path);
            }

            CliResult r = await Cli.InvokeAsync("measure", "--data", "Cifar10", "--data-path", cifar, "--model", "mlp:32", "--batch-size", "4", "--weights", path);

            AssertBadInput(r, $"{path}: tensor 'fc1.weight' is Float32 [32, 784], the mlp:32 model expects Float32 [32, 3072]. The file was saved for 1x28x28 input images; this network takes 3x32x32.");
        }
        finally
        {
            Directory.Delete(cifar, recursive: true);
        }
    }

    [Test]
    public async Task ADirectoryGivenAsTheWeightsIsNamed()
    {
        string folder = Path.Combine(_data, "checkpoints");
        Directory.CreateDirectory(folder);
        AssertBadInput(await Measure(_data, folder), $"Invalid option: --weights: '{folder}' is a directory; expected a safetensors weights file (see docs/WEIGHTS.md).");
    }
}
