using System.Text.Json.Nodes;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class BeaconMapFileTests
{
    // Maps are immutable; building one per test case would only repeat the same work.
    private static readonly Lazy<BeaconMap> Shared = new(() =>
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 5, seedCount: 2);
        return BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
    });

    private static BeaconMap Map() => Shared.Value;

    [Test]
    public void AWrittenMapReadsBackIdentically()
    {
        using var folder = new TempFolder();
        BeaconMap map = Map();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, map);
        BeaconMap read = BeaconMapFile.Read(path, "mlp", DataSetKind.FashionMnist);
        Assert.Multiple(() =>
        {
            Assert.That(BeaconMapFile.ToJson(read), Is.EqualTo(BeaconMapFile.ToJson(map)));
            Assert.That(read.Runs.Select(r => r.Epochs[^1]), Is.EqualTo(map.Runs.Select(r => r.Epochs[^1])), "epoch records compare by value");
            Assert.That(read.Derived.Region.Surface.Values[7][13], Is.EqualTo(map.Derived.Region.Surface.Values[7][13]), "doubles round-trip exactly");
            Assert.That(read.Derived.Region.DistanceToRegion(30, 1), Is.EqualTo(map.Derived.Region.DistanceToRegion(30, 1)));
            Assert.That(read.Grid.Data, Is.EqualTo(DataSetKind.FashionMnist));
            Assert.That(read.Provenance, Is.EqualTo(map.Provenance));
        });
    }

    [Test]
    public void TheFileIsIndentedCamelCaseJsonWithEnumsByName()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Map());
        string text = File.ReadAllText(path);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("{\n  \"schemaVersion\": 1,\n  \"kind\": \"autobatch-beacon-map\","));
            Assert.That(text, Does.Contain("\"data\": \"FashionMnist\""));
            Assert.That(text, Does.Contain("\"conditionMean\":"));
            Assert.That(text, Does.Not.Contain("finalTestError"), "computed properties are not stored");
        });
    }

    [Test]
    public void WritingReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        File.WriteAllText(path, "old");
        BeaconMapFile.Write(path, Map());
        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }));
            Assert.That(() => BeaconMapFile.Read(path), Throws.Nothing);
        });
    }

    [Test]
    public void AMapWithANonFiniteNumberIsNotWrittenAndTheOldFileStays()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        File.WriteAllText(path, "old");
        BeaconMap map = Map();
        BeaconRun run = map.Runs[0];
        BeaconMap broken = map with { Runs = [run with { Epochs = [run.Epochs[0] with { TrainLoss = double.NaN }, .. run.Epochs.Skip(1)] }, .. map.Runs.Skip(1)] };
        Assert.Multiple(() =>
        {
            Assert.That(() => BeaconMapFile.Write(path, broken), Throws.ArgumentException.With.Message.Contains(path));
            Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
            Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }));
        });
    }

    [Test]
    public void WritingCreatesTheFolder()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "a", "b", "map.json");
        BeaconMapFile.Write(path, Map());
        Assert.That(File.Exists(path), Is.True);
    }

    public static IEnumerable<TestCaseData> BadFiles()
    {
        yield return new TestCaseData(new Func<JsonObject, string>(_ => "this is not json"), "not valid JSON").SetName("NotJson");
        yield return new TestCaseData(new Func<JsonObject, string>(_ => ""), "not valid JSON").SetName("Empty");
        yield return new TestCaseData(new Func<JsonObject, string>(_ => "[1, 2]"), "expected a JSON object").SetName("Array");
        yield return new TestCaseData(Edit(o => o["kind"] = "autobatch-report"), "kind is \"autobatch-report\"").SetName("WrongKind");
        yield return new TestCaseData(Edit(o => o.Remove("kind")), "no \"kind\"").SetName("NoKind");
        yield return new TestCaseData(Edit(o => o["schemaVersion"] = 2), "written by a newer AutoBatch: schema 2, this build reads ≤ 1").SetName("NewerSchema");
        yield return new TestCaseData(Edit(o => o.Remove("schemaVersion")), "schemaVersion").SetName("NoSchema");
        yield return new TestCaseData(Edit(o => o.Remove("runs")), "runs").SetName("MissingRuns");
        yield return new TestCaseData(Edit(o => o["derived"]!.AsObject().Remove("region")), "region").SetName("MissingRegion");
        yield return new TestCaseData(Edit(o => o["grid"] = null), "grid").SetName("NullGrid");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"] = new JsonArray()), "has no epochs").SetName("RunWithoutEpochs");
        yield return new TestCaseData(Edit(o => o["runs"] = new JsonArray()), "no runs").SetName("NoRuns");
        yield return new TestCaseData(Replace("\"testError\": ", "\"testError\": NaN, \"x\": "), "not valid JSON").SetName("NaN");
        yield return new TestCaseData(Replace("\"energy\": ", "\"energy\": Infinity, \"x\": "), "not valid JSON").SetName("Infinity");
        yield return new TestCaseData(Replace("\"energy\": ", "\"energy\": 1e400, \"x\": "), "not a finite number").SetName("Overflow");
        yield return new TestCaseData(Edit(o => o["grid"]!["data"] = "Nonsense"), "malformed").SetName("UnknownDataSet");
        yield return new TestCaseData(Edit(o => o["derived"]!["region"]!["surface"]!["values"]!.AsArray().RemoveAt(0)), "grid").SetName("RaggedSurface");
        yield return new TestCaseData(new Func<JsonObject, string>(o => o.ToJsonString()[..(o.ToJsonString().Length / 2)]), "not valid JSON").SetName("Truncated");
        yield return new TestCaseData(Edit(o => o["grid"]!["batchSizes"]![0] = -8), "grid is not valid: batchSizes: at least one batch size, each >= 1").SetName("NegativeGridBatchSize");
        yield return new TestCaseData(Edit(o => o["grid"]!["learningRates"]![0] = 0), "grid is not valid: learningRates").SetName("ZeroGridLearningRate");
        yield return new TestCaseData(Edit(o => o["grid"]!["epochs"] = 0), "grid is not valid: epochs: must be >= 1").SetName("ZeroGridEpochs");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["batchSize"] = -32), ".batchSize is -32, expected >= 1").SetName("NegativeRunBatchSize");
        yield return new TestCaseData(Edit(o => o["runs"]![1]!["learningRate"] = -0.1), ".learningRate is -0.1, expected > 0").SetName("NegativeRunLearningRate");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"]![2]!["testError"] = -0.25), ".epochs[2].testError is -0.25, expected an error rate in [0, 1]").SetName("NegativeTestError");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"]![0]!["trainError"] = 1.5), ".epochs[0].trainError is 1.5, expected an error rate in [0, 1]").SetName("ErrorAboveOne");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"]![1]!["energy"] = -1e-3), ".epochs[1].energy is -0.001, expected >= 0").SetName("NegativeEnergy");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"]![1]!["conditionMean"] = -4), ".epochs[1].conditionMean is -4, expected >= 0").SetName("NegativeCondition");
        yield return new TestCaseData(Edit(o => o["runs"]![0]!["epochs"]![0]!["epoch"] = 0), ".epochs[0].epoch is 0, expected >= 1").SetName("EpochZero");
        yield return new TestCaseData(Edit(o => o.Remove("provenance")), "provenance").SetName("MissingProvenance");
        yield return new TestCaseData(Edit(o => o["schemaVersion"] = 0), "schema version 0 is not valid").SetName("SchemaZero");
        yield return new TestCaseData(Edit(o => o["schemaVersion"] = "1"), "no integer \"schemaVersion\"").SetName("SchemaAsString");
    }

    private static Func<JsonObject, string> Edit(Action<JsonObject> edit) => o =>
    {
        edit(o);
        return o.ToJsonString();
    };

    private static Func<JsonObject, string> Replace(string what, string with) => o =>
    {
        string text = o.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        int at = text.IndexOf(what, StringComparison.Ordinal);
        return text[..at] + with + text[(at + what.Length)..];
    };

    [TestCaseSource(nameof(BadFiles))]
    public void ABadFileIsRefusedWithAMessageNamingIt(Func<JsonObject, string> corrupt, string reason)
    {
        using var folder = new TempFolder();
        string good = folder.File("good.json");
        BeaconMapFile.Write(good, Map());
        string bad = folder.File("bad-map.json");
        File.WriteAllText(bad, corrupt(JsonNode.Parse(File.ReadAllText(good))!.AsObject()));
        Assert.That(() => BeaconMapFile.Read(bad),
            Throws.InstanceOf<UserInputException>().With.Message.StartsWith(bad + ":").And.Message.Contains(reason));
    }

    [TestCase("resnet8", DataSetKind.Mnist)]
    [TestCase("mlp", DataSetKind.Cifar10)]
    public void AMapForAnotherModelOrDataSetIsRefused(string model, DataSetKind data)
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Map());
        Assert.That(() => BeaconMapFile.Read(path, model, data),
            Throws.InstanceOf<UserInputException>().With.Message.StartsWith($"{path}: the map is for mlp:500-500 on Fashion-MNIST (grid.model 'mlp', grid.data FashionMnist), but the run uses "));
    }

    [Test]
    public void TheModelNameIsComparedWithoutCase()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Map());
        Assert.That(() => BeaconMapFile.Read(path, "MLP", DataSetKind.FashionMnist), Throws.Nothing);
        Assert.That(() => BeaconMapFile.Read(path, "mlp:500-500", DataSetKind.FashionMnist), Throws.Nothing, "the canonical name of the default MLP");
    }

    [Test]
    public void AMapOfAnUnknownModelIsRefusedAsTheFilesFaultWhenOnlyTheDataSetIsExpected()
    {
        using var folder = new TempFolder();
        string good = folder.File("good.json");
        BeaconMapFile.Write(good, Map());
        JsonObject o = JsonNode.Parse(File.ReadAllText(good))!.AsObject();
        o["grid"]!["model"] = "vit-b16";
        string path = folder.File("alien.json");
        File.WriteAllText(path, o.ToJsonString());
        Assert.That(() => BeaconMapFile.Read(path, expectedData: DataSetKind.FashionMnist),
            Throws.InstanceOf<UserInputException>().With.Message.EqualTo(
                $"{path}: grid.model 'vit-b16' is not a model this build knows; expected a map for vit-b16 on Fashion-MNIST."));
    }

    [Test]
    public void ANewerSchemaIsRefusedBeforeAnyOtherCheck()
    {
        // A future schema may rename every field; the version, not a missing field, is what the user must hear about.
        using var folder = new TempFolder();
        string path = folder.File("future.json");
        File.WriteAllText(path, "{\"kind\": \"autobatch-beacon-map\", \"schemaVersion\": 7, \"beacons\": []}");
        Assert.That(() => BeaconMapFile.Read(path),
            Throws.InstanceOf<UserInputException>().With.Message.EqualTo($"{path}: written by a newer AutoBatch: schema 7, this build reads ≤ 1."));
    }

    [Test]
    public void AFolderGivenAsTheMapIsRefusedNamingIt()
    {
        using var folder = new TempFolder();
        Assert.That(() => BeaconMapFile.Read(folder.Path),
            Throws.InstanceOf<UserInputException>().With.Message.EqualTo($"{folder.Path}: expected a beacon map file, found a directory."));
    }
}
