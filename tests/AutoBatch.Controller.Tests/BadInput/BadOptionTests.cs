using AutoBatch.Controller.Processes;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// Invalid options through the <c>train</c>, <c>beacons</c> and <c>measure</c> verbs: exit code 2, a message on
/// standard error naming the option and the rule, and nothing in the output folders touched.
/// </summary>
[TestFixture]
public sealed class BadOptionTests
{
    private string _data = null!;

    [OneTimeSetUp]
    public void CreateData() => _data = BadData.Write(DataSetKind.Mnist);

    [OneTimeTearDown]
    public void DeleteData() => Directory.Delete(_data, recursive: true);

    public static IEnumerable<TestCaseData> TrainCases()
    {
        static TestCaseData Case(string name, string expected, params string[] args) => new TestCaseData(args, expected).SetName("Train_" + name);

        yield return Case("LearningRateZero", "--lr (Train:LearningRate): must be in [1E-12, 1000000]; got '0'.", "--lr", "0");
        yield return Case("LearningRateNegative", "--lr (Train:LearningRate): must be in [1E-12, 1000000]; got '-0.05'.", "--lr", "-0.05");
        yield return Case("LearningRateNaN", "--lr (Train:LearningRate): must be in [1E-12, 1000000]; got 'NaN'.", "--lr", "NaN");
        yield return Case("LearningRateInfinite", "--lr (Train:LearningRate): must be in [1E-12, 1000000]; got 'Infinity'.", "--lr", "Infinity");
        yield return Case("BatchSizeZero", "--batch-size (Train:BatchSize): must be in [1, 1048576]; got '0'.", "--batch-size", "0");
        yield return Case("BatchLargerThanTheDataSet", $"--batch-size: 21 is larger than the training set ({BadData.TrainCount} samples).", "--batch-size", "21");
        yield return Case("BatchLargerThanTheSubset", "--batch-size: 8 is larger than the training set (5 samples).", "--train-subset", "5");
        yield return Case("EpochsZero", "--epochs (Train:Epochs): must be in [1, 100000]; got '0'.", "--epochs", "0");
        yield return Case("ThreadsZero", "--threads (Train:Threads): must be in [1, 1024]; got '0'.", "--threads", "0");
        yield return Case("ProbeIntervalNegative", "--probe-interval (Train:ProbeInterval): must be in [0, 1000000]; got '-1'.", "--probe-interval", "-1");
        yield return Case("TrainSubsetZero", "--train-subset (Train:TrainSubset): must be in [1, 2147483647]; got '0'.", "--train-subset", "0");
        yield return Case("ModelResnet7", "--model: Model 'resnet7' is not valid: ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, ..., 110).", "--model", "resnet7");
        yield return Case("ModelMlpZeroWidth", "--model: Model 'mlp:0-5' is not valid: MLP hidden widths must be >= 1, found 0.", "--model", "mlp:0-5");
        yield return Case("ModelUnknown", "--model: Unknown model 'vgg16': expected mlp, mlp:W1-W2-...", "--model", "vgg16");
    }

    [TestCaseSource(nameof(TrainCases))]
    public async Task TrainRefusesTheOptionNamingIt(string[] args, string expected)
    {
        string output = BadData.PreviousTrainOutput(Path.Combine(_data, Guid.NewGuid().ToString("N")));

        CliResult r = await Cli.InvokeAsync(["train", .. Cli.WithDefaults(args, "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--batch-size", "8", "--epochs", "1", "--output", output)]);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            BadData.AssertIntact(output);
        });
    }

    [Test]
    public async Task AnOptionRefusedByTwoChecks_IsReportedOnce()
    {
        // beacons --epochs 0 breaks the range attribute and the grid's own check; before, both lines were printed.
        CliResult r = await Cli.InvokeAsync("beacons", "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--epochs", "0");

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr.Split('\n').Count(l => l.Contains("--epochs", StringComparison.Ordinal)), Is.EqualTo(1), r.All);
        Assert.That(r.Stderr, Does.Contain("Invalid option: --epochs (Beacons:Epochs): must be in [1, 100000]; got '0'."), r.All);
    }

    [Test]
    public async Task TrainWithoutADataPathForADataSetWithoutADefaultFolderSaysSo()
    {
        CliResult r = await Cli.InvokeAsync("train", "--data", "Cifar10");
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain("Invalid option: --data-path: required for Cifar10 (only Fashion-MNIST has a default folder)."));
    }

    public static IEnumerable<TestCaseData> BeaconsCases()
    {
        static TestCaseData Case(string name, string expected, params string[] args) => new TestCaseData(args, expected).SetName("Beacons_" + name);

        yield return Case("ShardIndexNotBelowCount", "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got '3/2'.", "--shard", "3/2");
        yield return Case("ShardZeroOfZero", "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got '0/0'.", "--shard", "0/0");
        yield return Case("ShardNotAFraction", "--shard: expected i/n with 0 <= i < n (e.g. 0/4), got 'first'.", "--shard", "first");
        yield return Case("ShardAndShardCount", "--shard and --shard-count: give one of them, not both.", "--shard", "0/2", "--shard-count", "2");
        yield return Case("BatchSizeZero", "--batch-sizes: at least one batch size, each >= 1.", "--batch-sizes", "0,8");
        yield return Case("BatchSizesNotNumbers", "--batch-sizes: expected a comma-separated list of numbers, got '8,x'.", "--batch-sizes", "8,x");
        yield return Case("LearningRateNaN", "--learning-rates: at least one learning rate, each a finite number > 0.", "--learning-rates", "0.1,NaN");
        yield return Case("LearningRateNegative", "--learning-rates: at least one learning rate, each a finite number > 0.", "--learning-rates", "-0.1");
        yield return Case("BatchLargerThanTheSubset", "--batch-sizes: 16 is larger than --train-subset 10; every batch size must fit in the training set.", "--train-subset", "10");
        yield return Case("BatchLargerThanTheDataSet", $"beacons failed: --batch-sizes: 64 is larger than the training set ({BadData.TrainCount} samples).", "--batch-sizes", "8,64");
        yield return Case("EpochsZero", "--epochs (Beacons:Epochs): must be in [1, 100000]; got '0'.", "--epochs", "0");
        yield return Case("ThreadsPerRunZero", "--threads-per-run (Beacons:ThreadsPerRun): must be in [1, 1024]; got '0'.", "--threads-per-run", "0");
        yield return Case("ProbeIntervalZero", "--probe-interval (Beacons:ProbeInterval): must be in [1, 1000000]; got '0'.", "--probe-interval", "0");
        yield return Case("ModelUnknown", "--model: Unknown model 'resnet'", "--model", "resnet");
    }

    [TestCaseSource(nameof(BeaconsCases))]
    public async Task BeaconsRefusesTheOptionBeforeTouchingTheGridFolder(string[] args, string expected)
    {
        // A grid folder with a finished run, as a first invocation leaves it: a refused rerun must not disturb it.
        string grid = Path.Combine(_data, "grid-" + Guid.NewGuid().ToString("N"));
        string run = Path.Combine(grid, "runs", "b0008-lr0.1-s1.json");
        Directory.CreateDirectory(Path.GetDirectoryName(run)!);
        File.WriteAllText(run, "{\"id\": \"b0008-lr0.1-s1\"}");

        CliResult r = await Cli.InvokeAsync(
            ["beacons", .. Cli.WithDefaults(args, "--data", "Mnist", "--data-path", _data, "--model", "mlp:8", "--batch-sizes", "8,16", "--learning-rates", "0.1", "--seeds", "1", "--epochs", "1", "--output", grid)]);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            Assert.That(Directory.GetFileSystemEntries(grid), Is.EqualTo(new[] { Path.Combine(grid, "runs") }), "no grid.json, work/ or map written");
            Assert.That(File.ReadAllText(run), Is.EqualTo("{\"id\": \"b0008-lr0.1-s1\"}"));
        });
    }

    public static IEnumerable<TestCaseData> MeasureCases()
    {
        static TestCaseData Case(string name, string expected, params string[] args) => new TestCaseData(args, expected).SetName("Measure_" + name);

        yield return Case("LearningRateZero", "--lr (Measure:LearningRate): the learning rate must be in [1E-12, 1000000]; got '0'.", "--lr", "0");
        yield return Case("LearningRateNaN", "--lr (Measure:LearningRate): the learning rate must be in [1E-12, 1000000]; got 'NaN'.", "--lr", "NaN");
        yield return Case("BatchSizeZero", "--batch-size (Measure:BatchSize): must be in [1, 1048576]; got '0'.", "--batch-size", "0");
        yield return Case("ThreadsZero", "--threads (Measure:Threads): must be in [1, 1024]; got '0'.", "--threads", "0");
        yield return Case("BatchLargerThanTheDataSet", $"--batch-size: 21 is larger than the training set ({BadData.TrainCount} samples)", "--batch-size", "21");
        yield return Case("IndexOutsideTheDataSet", $"--indices: index {BadData.TrainCount} is outside the training set, whose indices are 0..{BadData.TrainCount - 1}.", "--indices", $"1,{BadData.TrainCount}");
        yield return Case("RankToleranceOne", "--rank-tolerance: 1 is outside (0, 1)", "--rank-tolerance", "1");
    }

    [TestCaseSource(nameof(MeasureCases))]
    public async Task MeasureRefusesTheOptionNamingItAndPrintsNoReport(string[] args, string expected)
    {
        CliResult r = await Cli.InvokeAsync(["measure", .. Cli.WithDefaults(args, "--data", "Mnist", "--data-path", _data, "--model", "mlp:8")]);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain(expected), r.All);
            Assert.That(r.Stdout, Is.Empty, "standard output carries the JSON report only");
        });
    }
}
