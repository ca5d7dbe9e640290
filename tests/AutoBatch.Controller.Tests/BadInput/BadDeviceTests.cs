using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Runtime;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// <c>--device</c> on every verb that trains or probes: a value that is not a device, and <c>cuda</c> on the default
/// (TorchSharp) engine of this test process, whose LibTorch for CPU has no CUDA, are bad input: exit code 2, one line
/// naming <c>--device</c>, nothing written. <c>cuda</c> on the native engine is in <see cref="Runs.EngineChoiceTests"/>
/// (a child process: this one must not load the native engine's LibTorch beside TorchSharp's).
/// </summary>
[TestFixture]
public sealed class BadDeviceTests
{
    private const string NotADevice = "--device: 'tpu' is not a device; expected cpu, cuda or cuda:N.";
    private const string NoCuda = "--device: 'cuda' was asked for, but torch.cuda.is_available() is false";

    private string _data = null!;

    [OneTimeSetUp]
    public void CreateData()
    {
        Assume.That(Engines.Current, Is.EqualTo(EngineKind.TorchSharp), "these cases are of the TorchSharp engine");
        _data = BadData.Write(DataSetKind.Mnist);
    }

    [OneTimeTearDown]
    public void DeleteData()
    {
        if (_data is not null)
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [TestCase("tpu", NotADevice)]
    [TestCase("cuda", NoCuda)]
    public async Task Train_RefusesTheDevice_AndLeavesTheOutputAlone(string device, string expected)
    {
        string output = BadData.PreviousTrainOutput(Path.Combine(_data, Guid.NewGuid().ToString("N")));

        CliResult r = await Cli.InvokeAsync(
            "train", "--device", device, "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--batch-size", "8", "--epochs", "1", "--output", output);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            BadData.AssertIntact(output);
        });
    }

    [TestCase("tpu", NotADevice)]
    [TestCase("cuda", NoCuda)]
    public async Task Run_RefusesTheDevice_AndLeavesTheOutputAlone(string device, string expected)
    {
        string output = BadData.PreviousTrainOutput(Path.Combine(_data, Guid.NewGuid().ToString("N")));

        CliResult r = await Cli.InvokeAsync(
            "run", "--device", device, "--map", "", "--schedule", "s8", "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--epochs", "1",
            "--lr", "0.1", "--output", output);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            BadData.AssertIntact(output);
        });
    }

    [Test]
    public async Task Measure_RefusesCudaWithoutCuda_AndPrintsNoReport()
    {
        CliResult r = await Cli.InvokeAsync("measure", "--device", "cuda", "--data", "Mnist", "--data-path", _data, "--model", "mlp:8");

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(NoCuda), r.All);
            Assert.That(r.Stdout, Is.Empty);
        });
    }

    [Test]
    public async Task BeaconsAndCompare_RefuseCudaWithoutCuda_BeforeAnyChildRunsOrAFolderIsMade()
    {
        string grid = Path.Combine(_data, "grid-" + Guid.NewGuid().ToString("N"));
        string comparison = Path.Combine(_data, "compare-" + Guid.NewGuid().ToString("N"));

        CliResult beacons = await Cli.InvokeAsync(
            "beacons", "--device", "cuda", "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--batch-sizes", "8", "--learning-rates", "0.1",
            "--seeds", "1", "--epochs", "1", "--output", grid);
        CliResult compare = await Cli.InvokeAsync("compare", "--device", "cuda", "--data-path", _data, "--epochs", "1", "--output", comparison);

        Assert.Multiple(() =>
        {
            Assert.That(beacons.Exit, Is.EqualTo(ExitCodes.BadInput), beacons.All);
            Assert.That(beacons.Stderr, Does.Contain(NoCuda), beacons.All);
            Assert.That(Directory.Exists(grid), Is.False, "no grid folder");
            Assert.That(compare.Exit, Is.EqualTo(ExitCodes.BadInput), compare.All);
            Assert.That(compare.Stderr, Does.Contain(NoCuda), compare.All);
            Assert.That(Directory.Exists(comparison), Is.False, "no comparison folder");
        });
    }
}
