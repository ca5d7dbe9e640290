using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>
/// Bad input for grids and maps: a refused <c>beacons</c> or <c>merge</c> invocation exits 2 with a message naming the
/// file or option, and leaves grid.json, finished runs and an existing map exactly as they were.
/// </summary>
[TestFixture]
public sealed class BadGridInputTests
{
    private const string MapText = "{\"kind\": \"an earlier map, to be kept\"}";

    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("autobatch-badgrid-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static GridSpec Spec(int epochs = 2) => new()
    {
        Model = "mlp:8",
        Data = DataSetKind.Mnist,
        BatchSizes = [4, 8, 16],
        LearningRates = [0.05, 0.1, 0.2],
        Seeds = [1],
        Epochs = epochs,
        ProbeInterval = 50,
    };

    /// <summary>A grid folder with every run finished (plausible synthetic records).</summary>
    private string CompleteGrid(string name)
    {
        string folder = Path.Combine(_folder, name);
        GridSpec spec = Spec();
        var store = new GridStore(folder, spec);
        foreach (RunKey key in spec.Runs())
        {
            double error = 0.1 + (0.01 * Math.Abs(Math.Log2(key.BatchSize / 16.0))) + (0.01 * Math.Abs(Math.Log2(key.LearningRate / 0.1)));
            store.Save(new BeaconRun
            {
                Id = key.Id,
                BatchSize = key.BatchSize,
                LearningRate = key.LearningRate,
                Seed = key.Seed,
                Diverged = false,
                WallSeconds = 1,
                Epochs = [.. Enumerable.Range(1, spec.Epochs).Select(e => Epoch(e, key, error))],
            });
        }

        return folder;
    }

    private static EpochRecord Epoch(int epoch, RunKey key, double error) => new()
    {
        Epoch = epoch,
        Iterations = 10,
        TotalIterations = 10L * epoch,
        MeanBatchSize = key.BatchSize,
        BatchSize = key.BatchSize,
        LearningRate = key.LearningRate,
        TrainLoss = 0.5,
        TrainError = error,
        TestLoss = 0.6,
        TestError = error + (0.05 / epoch),
        CumulativeCondition = 2 * Math.Sqrt(key.BatchSize),
        CumulativeEnergy = key.LearningRate * epoch / key.BatchSize,
        EpochCondition = 2 * Math.Sqrt(key.BatchSize),
        EpochEnergy = key.LearningRate / key.BatchSize,
        MeanRank = key.BatchSize - 1,
        NoiseScale = 50,
        Measurements = 1,
        TrainSeconds = 0.1,
        ProbeSeconds = 0.01,
        EvalSeconds = 0.01,
        Diverged = false,
    };

    private string ExistingMap()
    {
        string map = Path.Combine(_folder, "map.json");
        File.WriteAllText(map, MapText);
        return map;
    }

    /// <summary>merge of <paramref name="grid"/> exits 2 with "merge failed: " + <paramref name="expected"/> and leaves an existing map as it was.</summary>
    private async Task AssertMergeRefused(string grid, string expected)
    {
        string map = ExistingMap();

        CliResult r = await Cli.InvokeAsync("merge", "--grids", grid, "--output", map);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"merge failed: {expected}"), r.All);
        Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
    }

    // Every file but the folder's lock file, which a refused command may leave (empty; it is the folder's, not a run's).
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != FolderLock.LockName)
            .ToDictionary(f => f, File.ReadAllText);

    [Test]
    public async Task TheCompleteGridMerges()
    {
        // The control: the cases below fail because of what they break, not because the synthetic grid is unusable.
        string grid = CompleteGrid("g");
        string map = Path.Combine(_folder, "merged.json");
        CliResult r = await Cli.InvokeAsync("merge", "--grids", grid, "--output", map);
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.Ok), r.All);
        Assert.That(() => BeaconMapFile.Read(map, "mlp:8", DataSetKind.Mnist), Throws.Nothing);
    }

    [Test]
    public async Task MergeRefusesACorruptRunFileNamingItAndKeepsTheMap()
    {
        string grid = CompleteGrid("g");
        string run = Path.Combine(grid, "runs", new RunKey(16, 0.1, 1).Id + ".json");
        File.WriteAllText(run, "{\"id\": \"b0016-lr0.1-s1\", \"batchSize\": 16, \"epo");
        await AssertMergeRefused(grid, $"{run}: not a valid BeaconRun file: ");
    }

    [TestCase("\"testError\": 0.", "\"testError\": 1.5, \"x\": 0.", "epochs[1].testError is 1.5, expected an error rate in [0, 1]")]
    [TestCase("\"conditionMean\": ", "\"conditionMean\": -5, \"x\": ", "epochs[0].conditionMean is -5, expected >= 0")]
    [TestCase("\"batchSize\": 16,", "\"batchSize\": 32,", "batchSize is 32, expected 16 (the run b0016-lr0.1-s1 of the grid)")]
    [TestCase("\"learningRate\": 0.1,", "\"learningRate\": 0.3,", "learningRate is 0.3, expected 0.1 (the run b0016-lr0.1-s1 of the grid)")]
    [TestCase("\"epoch\": 2,", "\"epoch\": 3,", "expected epoch records 1, 2, ... up to the grid's 2, found [1, 3]")]
    public async Task MergeRefusesARunFileWithValuesNoRunProducesNamingTheField(string find, string replace, string expected)
    {
        // Before, these were merged into a map that run and compare then refused, or (an edited batch size) into a
        // configuration the grid never ran.
        string grid = CompleteGrid("g");
        string run = Path.Combine(grid, "runs", new RunKey(16, 0.1, 1).Id + ".json");
        string text = File.ReadAllText(run);
        int at = find.StartsWith("\"testError", StringComparison.Ordinal) ? text.LastIndexOf(find, StringComparison.Ordinal) : text.IndexOf(find, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), text);
        File.WriteAllText(run, text[..at] + replace + text[(at + find.Length)..]);
        await AssertMergeRefused(grid, $"{run}: {expected}");
    }

    [Test]
    public async Task MergeRefusesAGridSpecWithAnInvalidModelNamingTheFile()
    {
        string grid = CompleteGrid("g");
        string spec = Path.Combine(grid, "grid.json");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"mlp:8\"", "\"vgg\"", StringComparison.Ordinal));
        await AssertMergeRefused(grid, $"{spec}: the grid is not valid: model: Unknown model 'vgg'");
    }

    [Test]
    public async Task MergeAndBeaconsRefuseAMapPathUnderAFile_BeforeAnyRunTrains()
    {
        string grid = CompleteGrid("g");
        string file = Path.Combine(_folder, "keep.json");
        File.WriteAllText(file, "keep");
        string under = Path.Combine(file, "map.json");

        CliResult merge = await Cli.InvokeAsync("merge", "--grids", grid, "--output", under);
        CliResult beacons = await Cli.InvokeAsync(
            "beacons", "--data", "Mnist", "--data-path", _folder, "--model", "mlp:8", "--batch-sizes", "4", "--learning-rates", "0.1", "--seeds", "1",
            "--epochs", "1", "--output", Path.Combine(_folder, "newgrid"), "--map", under);

        Assert.That(merge.Exit, Is.EqualTo(ExitCodes.BadInput), merge.All);
        Assert.That(merge.Stderr, Does.Contain($"The beacon map cannot be written to {under}: "), merge.All);
        Assert.That(merge.Stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(beacons.Exit, Is.EqualTo(ExitCodes.BadInput), beacons.All);
        Assert.That(beacons.Stderr, Does.Contain($"Invalid option: --map: '{file}' is a file, so '{under}' cannot be written."), beacons.All);
        Assert.That(Directory.Exists(Path.Combine(_folder, "newgrid")), Is.False, "refused before the grid folder was made");
        Assert.That(File.ReadAllText(file), Is.EqualTo("keep"));
    }

    [Test]
    public async Task CompareAndBeaconsRefuseAnOutputThatIsAFile()
    {
        string file = Path.Combine(_folder, "afile");
        File.WriteAllText(file, "keep");
        string map = Path.Combine(_folder, "merged.json");
        Assert.That((await Cli.InvokeAsync("merge", "--grids", CompleteGrid("g"), "--output", map)).Exit, Is.EqualTo(ExitCodes.Ok));

        CliResult compare = await Cli.InvokeAsync("compare", "--map", map, "--schedules", "s4", "--seeds", "1", "--data-path", _folder, "--output", file);
        CliResult beacons = await Cli.InvokeAsync(
            "beacons", "--data", "Mnist", "--data-path", _folder, "--model", "mlp:8", "--batch-sizes", "4", "--learning-rates", "0.1", "--seeds", "1",
            "--epochs", "1", "--output", Path.Combine(file, "grid"));

        Assert.That(compare.Exit, Is.EqualTo(ExitCodes.BadInput), compare.All);
        Assert.That(compare.Stderr, Does.Contain($"Invalid option: --output: '{file}' is a file; expected a folder."), compare.All);
        Assert.That(beacons.Exit, Is.EqualTo(ExitCodes.BadInput), beacons.All);
        Assert.That(beacons.Stderr, Does.Contain($"Invalid option: --output: '{file}' is a file, so '{Path.Combine(file, "grid")}' cannot be a folder."), beacons.All);
        Assert.That(File.ReadAllText(file), Is.EqualTo("keep"));
    }

    [Test]
    public async Task MergeRefusesACorruptGridSpecNamingIt()
    {
        string grid = CompleteGrid("g");
        string spec = Path.Combine(grid, "grid.json");
        File.WriteAllText(spec, "[]");
        await AssertMergeRefused(grid, $"{spec}: not a valid GridSpec file: ");
    }

    [Test]
    public async Task MergeRefusesAFolderThatIsNotAGrid()
    {
        string map = ExistingMap();
        CliResult r = await Cli.InvokeAsync("merge", "--grids", _folder, "--output", map);
        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"--grids: {Path.Combine(_folder, "grid.json")} not found; is {_folder} a beacon grid's folder?"));
        Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
    }

    [Test]
    public async Task MergeRefusesShardsOfDifferentGrids()
    {
        string a = CompleteGrid("a");
        string b = Path.Combine(_folder, "b");
        _ = new GridStore(b, Spec(epochs: 3));
        string map = ExistingMap();

        CliResult r = await Cli.InvokeAsync("merge", "--grids", a, b, "--output", map);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"{Path.Combine(b, "grid.json")}: a different grid from {a} (epochs 3 here, 2 there); shards of one grid must be run with the same options."));
        Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
    }

    [Test]
    public async Task MergeRefusesADirectoryAsTheOutputAndWritesNothing()
    {
        string grid = CompleteGrid("g");
        string target = Path.Combine(_folder, "maps");
        Directory.CreateDirectory(target);

        CliResult r = await Cli.InvokeAsync("merge", "--grids", grid, "--output", target);

        Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
        Assert.That(r.Stderr, Does.Contain($"The beacon map cannot be written to {target}: expected a file path, found a directory."), r.All);
        Assert.That(Directory.GetFileSystemEntries(target), Is.Empty);
    }

    [TestCase("", "not a valid BeaconRun file: ", TestName = "MergeNamesAnEmptyRunFile_AndLeavesItOutOnlyWithAllowIncomplete")]
    [TestCase("cut", "not a valid BeaconRun file: ", TestName = "MergeNamesARunFileCutMidway_AndLeavesItOutOnlyWithAllowIncomplete")]
    [TestCase("no epochs", "the run file holds no epochs.", TestName = "MergeNamesARunFileWithoutEpochs_AndLeavesItOutOnlyWithAllowIncomplete")]
    public async Task MergeNamesAnUnusableRunFile_AndLeavesItOutOnlyWithAllowIncomplete(string damage, string expected)
    {
        // Such files were left by two runners on one folder, and merge then failed on them (or, with no
        // epochs, wrote a map that every later command refused).
        string grid = CompleteGrid("g");
        string file = Path.Combine(grid, "runs", "b0008-lr0.1-s1.json");
        string text = File.ReadAllText(file);
        if (damage == "no epochs")
        {
            System.Text.Json.Nodes.JsonObject run = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
            run["epochs"] = new System.Text.Json.Nodes.JsonArray();
            File.WriteAllText(file, run.ToJsonString());
        }
        else
        {
            File.WriteAllText(file, damage == "cut" ? text[..(text.Length / 2)] : string.Empty);
        }

        await AssertMergeRefused(grid, $"{file}: {expected.TrimEnd('.')}");
        CliResult refused = await Cli.InvokeAsync("merge", "--grids", grid, "--output", Path.Combine(_folder, "refused.json"));
        string map = Path.Combine(_folder, "partial.json");
        CliResult r = await Cli.InvokeAsync("merge", "--grids", grid, "--output", map, "--allow-incomplete");
        Assert.Multiple(() =>
        {
            Assert.That(refused.Stderr, Does.Contain("; rerun the beacons command of its folder to redo such a run, or pass --allow-incomplete to leave it out."), refused.All);
            Assert.That(File.Exists(Path.Combine(_folder, "refused.json")), Is.False);
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.Ok), r.All);
            Assert.That(r.Stderr, Does.Contain($"Left out of the map (--allow-incomplete): {file}: {expected}"), r.All);
            Assert.That(BeaconMapFile.Read(map).Runs.Select(run => run.Id).ToArray(), Has.Length.EqualTo(8).And.Not.Contains("b0008-lr0.1-s1"));
        });
    }

    [Test]
    public async Task MergeRefusesTheSameFolderGivenTwice()
    {
        string grid = CompleteGrid("g");
        string map = ExistingMap();

        CliResult twice = await Cli.InvokeAsync("merge", "--grids", grid, grid, "--output", map);
        CliResult spelled = await Cli.InvokeAsync("merge", "--grids", grid, grid + "/", "--output", map);
        string link = Path.Combine(_folder, "link");
        File.CreateSymbolicLink(link, grid);
        CliResult linked = await Cli.InvokeAsync("merge", "--grids", grid, link, "--output", map);

        Assert.Multiple(() =>
        {
            foreach (CliResult r in new[] { twice, spelled, linked })
            {
                Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
                Assert.That(r.Stderr, Does.Contain("--grids: the same folder is given twice (").And.Contain(grid), r.All);
            }

            Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
        });
    }

    [Test]
    public async Task MergeRefusesTwoFoldersOfTheSameShard()
    {
        // Two array jobs given one shard index each wrote a folder claiming shard 1/3.
        string a = Path.Combine(_folder, "a"), b = Path.Combine(_folder, "b");
        new GridStore(a, Spec()).ClaimShard(new Shard(1, 3));
        new GridStore(b, Spec()).ClaimShard(new Shard(1, 3));
        string map = ExistingMap();

        CliResult r = await Cli.InvokeAsync("merge", "--grids", a, b, "--output", map, "--allow-incomplete");

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain($"--grids: {a} and {b} both hold shard 1/3 of the grid (two jobs given the same shard index?)"), r.All);
            Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
        });
    }

    [Test]
    public async Task MergeRefusesARunFoundInTwoFolders()
    {
        // A copy of a shard's folder merged beside it: every run would count twice. Before, identical runs merged silently.
        string a = CompleteGrid("a");
        string copy = Path.Combine(_folder, "copy");
        _ = new GridStore(copy, Spec());
        File.Copy(Path.Combine(a, "runs", "b0004-lr0.05-s1.json"), Path.Combine(copy, "runs", "b0004-lr0.05-s1.json"));
        string map = ExistingMap();

        CliResult r = await Cli.InvokeAsync("merge", "--grids", a, copy, "--output", map);

        Assert.Multiple(() =>
        {
            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain($"--grids: run b0004-lr0.05-s1 is in both {a} and {copy}: the shards overlap"), r.All);
            Assert.That(File.ReadAllText(map), Is.EqualTo(MapText));
        });
    }

    [Test]
    public void AGridFolderKeepsItsShard()
    {
        string folder = Path.Combine(_folder, "s1");
        var store = new GridStore(folder, Spec());
        store.ClaimShard(new Shard(1, 3));
        store.ClaimShard(new Shard(1, 3)); // a resume of the same shard

        Func<string, string> flags = OptionRecord.Vocabulary(typeof(BeaconsOptions));
        var e = Assert.Throws<UserInputException>(() => store.ClaimShard(new Shard(2, 3), flags));
        var whole = Assert.Throws<UserInputException>(() => store.ClaimShard(Shard.All, flags));
        var named = Assert.Throws<UserInputException>(() => store.ClaimShard(new Shard(2, 3)));

        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.StartWith($"--shard: {folder} holds shard 1/3 of the grid ({Path.Combine(folder, "shard.json")}), not shard 2/3 of the grid;"));
            Assert.That(e.Message, Does.EndWith("give each shard its own --output, or the shard this folder was started with."));
            Assert.That(named!.Message, Does.StartWith($"Shard: {folder} holds").And.EndWith("give each shard its own Output, or the shard this folder was started with."));
            Assert.That(whole!.Message, Does.Contain("not the whole grid (not sharded)"));
            Assert.That(GridStore.ReadShard(folder), Is.EqualTo(new Shard(1, 3)));
        });
    }

    [Test]
    public async Task BeaconsRefusesTheFolderOfAnotherGridAndKeepsItsRuns()
    {
        string data = BadData.Write(DataSetKind.Mnist);
        try
        {
            string grid = CompleteGrid("g");
            Dictionary<string, string> before = Snapshot(grid);

            // Same grid but 3 epochs per run instead of 2.
            CliResult r = await Cli.InvokeAsync(
                "beacons", "--data", "Mnist", "--data-path", data, "--model", "mlp:8", "--batch-sizes", "4,8,16", "--learning-rates", "0.05,0.1,0.2",
                "--seeds", "1", "--epochs", "3", "--output", grid);

            Assert.That(r.Exit, Is.EqualTo(ExitCodes.BadInput), r.All);
            Assert.That(r.Stderr, Does.Contain($"{Path.Combine(grid, "grid.json")}: this folder holds a different grid (mlp:8 on Mnist, 9 runs, 2 epochs); use another folder for this grid, or the same grid settings to resume that one."), r.All);
            Assert.That(Snapshot(grid), Is.EqualTo(before), "grid.json and every finished run are unchanged");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
