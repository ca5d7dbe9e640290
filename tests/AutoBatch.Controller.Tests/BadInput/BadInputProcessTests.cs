using AutoBatch.Engine.Runtime;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// The real <c>autobatch</c> program in a child process: malformed flags (which only Program.cs maps to exit 2), and
/// the bad inputs that reach the native core, where a crash would kill the process with a signal (exit 134 or 139)
/// instead of exit 2 and a message.
/// </summary>
[TestFixture]
public sealed class BadInputProcessTests
{
    private string _folder = null!;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("autobatch-badprocess-").FullName;

    [OneTimeTearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [TestCase(new[] { "train", "--data", "Imagenet" }, "Invalid option: --data: expected one of FashionMnist, Mnist, Cifar10, Cifar100, Svhn, got 'Imagenet'.")]
    [TestCase(new[] { "train", "--batch-size", "many" }, "Invalid option: --batch-size: expected a whole number, got 'many'.")]
    [TestCase(new[] { "run", "--threads", "1.5" }, "Invalid option: --threads: expected a whole number, got '1.5'.")]
    [TestCase(new[] { "measure", "--seed", "0x10" }, "Invalid option: --seed: expected a whole number, got '0x10'.")]
    [TestCase(new[] { "measure", "--lr", "fast" }, "Invalid option: --lr: expected a number, got 'fast'.")]
    [TestCase(new[] { "measure", "--gram-mode", "dense" }, "Invalid option: --gram-mode: expected one of Auto, Ghost, Materialise, got 'dense'.")]
    [TestCase(new[] { "train", "--epoch", "3" }, "Invalid option: Unrecognized command or argument '--epoch'")]
    [TestCase(new[] { "beacons", "--shard-count", "two" }, "Invalid option: --shard-count: expected a whole number, got 'two'.")]
    [TestCase(new[] { "train", "--probe-background", "maybe" }, "Invalid option: --probe-background: expected true or false (or nothing, meaning true), got 'maybe'.")]
    [TestCase(new[] { "run", "--epochs", "2", "--rollback", "sometimes" }, "Invalid option: --rollback: expected true or false (or nothing, meaning true), got 'sometimes'.")]
    [TestCase(new[] { "train", "--resume", "yes" }, "Invalid option: --resume: expected true or false (or nothing, meaning true), got 'yes'.")]
    [TestCase(new[] { "train", "--epochs", "3", "stray" }, "Invalid option: Unrecognized command or argument 'stray'")]
    public async Task AMalformedFlagExitsWithBadInputNamingIt(string[] args, string expected)
    {
        CliResult r = await Cli.RunProcessAsync(args);
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain(expected), r.All);
        Assert.That(r.Stderr, Does.Not.Contain("System."), "no .NET type names");
    }

    [Test]
    public async Task AnOptionFromTheEnvironmentIsNamedByItsKey()
    {
        // Configuration can come from AUTOBATCH_* variables; a bad value there is named as the option it sets.
        var environment = new Dictionary<string, string> { ["AUTOBATCH_Train__Epochs"] = "ten" };
        CliResult r = await Cli.RunProcessAsync(environment, "train", "--data-path", _folder, "--output", Path.Combine(_folder, "env-out"));
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain("Invalid option: Train:Epochs (appsettings.json or AUTOBATCH_Train__Epochs): expected a whole number, got 'ten'."), r.All);
        Assert.That(r.Stderr, Does.Not.Contain("System."), "no .NET type names");
        Assert.That(r.Stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.Exists(Path.Combine(_folder, "env-out")), Is.False, "nothing is created for a refused run");
    }

    [Test]
    public async Task WeightsOfAnotherInputShapeExitWithBadInputNotASignal()
    {
        string data = BadData.Write(DataSetKind.Svhn);
        try
        {
            string weights = Path.Combine(_folder, "mnist-mlp32.safetensors");
            using (ITrainingNetwork network = Engines.CreateNetwork(ModelSpec.Parse("mlp:32", new InputShape(1, 28, 28), 10), SgdSettings.Paper, 1))
            {
                WeightsFile.Save(network, weights);
            }

            CliResult r = await Cli.RunProcessAsync("measure", "--data", "Svhn", "--data-path", data, "--model", "mlp:32", "--batch-size", "4", "--weights", weights);

            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain("The file was saved for 1x28x28 input images; this network takes 3x32x32."), r.All);
            Assert.That(r.Stdout, Is.Empty);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task ACorruptDataFileExitsWithBadInputNotFailure()
    {
        // DataFormatException is an IOException; before the bad-input suite it was reported as a crash (exit 1).
        string data = BadData.Write(DataSetKind.Cifar10);
        try
        {
            string batch = Path.Combine(data, "data_batch_5.bin");
            File.AppendAllText(batch, "x");

            CliResult r = await Cli.RunProcessAsync("train", "--data", "Cifar10", "--data-path", data, "--model", "mlp:8", "--epochs", "1", "--batch-size", "8", "--output", Path.Combine(data, "out"));

            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain($"train failed: {batch}: expected a multiple of the 3073-byte CIFAR-10 record"), r.All);
            Assert.That(r.Stderr + r.Stdout, Does.Not.Contain("crashed").And.Not.Contain("   at "), "no stack trace");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
