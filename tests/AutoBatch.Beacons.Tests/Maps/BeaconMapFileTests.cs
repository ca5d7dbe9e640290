using System.Text.Json.Nodes;
using AutoBatch.Beacons.Maps;
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
            Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith(bad + ":").And.Message.Contains(reason));
    }

    [TestCase("resnet8", DataSetKind.Mnist)]
    [TestCase("mlp", DataSetKind.Cifar10)]
    public void AMapForAnotherModelOrDataSetIsRefused(string model, DataSetKind data)
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Map());
        Assert.That(() => BeaconMapFile.Read(path, model, data),
            Throws.InstanceOf<InvalidDataException>().With.Message.EqualTo($"{path}: map is for mlp on FashionMnist, expected {model} on {data}."));
    }

    [Test]
    public void TheModelNameIsComparedWithoutCase()
    {
        using var folder = new TempFolder();
        string path = folder.File("map.json");
        BeaconMapFile.Write(path, Map());
        Assert.That(() => BeaconMapFile.Read(path, "MLP", DataSetKind.FashionMnist), Throws.Nothing);
    }
}
