using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;

namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>The check the <c>run</c> verb makes before steering a run with a beacon map.</summary>
public sealed class MapCompatibilityTests
{
    private static readonly Lazy<BeaconMap> Shared = new(() =>
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 3, seedCount: 1);
        return BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
    });

    /// <summary>The synthetic map: grid.model "mlp", grid.data FashionMnist.</summary>
    private static BeaconMap Map => Shared.Value;

    [TestCase("mlp", DataSetKind.FashionMnist)]
    [TestCase("MLP", DataSetKind.FashionMnist)]
    [TestCase(" mlp:500-500 ", DataSetKind.FashionMnist)]
    public void TheSameModelAndDataSetPass(string model, DataSetKind data) =>
        Assert.That(() => MapCompatibility.EnsureCompatible(Map, model, data, "maps/fm.json"), Throws.Nothing);

    [TestCase("resnet8", DataSetKind.FashionMnist, "resnet8 on Fashion-MNIST")]
    [TestCase("mlp:300-100", DataSetKind.FashionMnist, "mlp:300-100 on Fashion-MNIST")]
    [TestCase("mlp", DataSetKind.Cifar10, "mlp:500-500 on CIFAR-10")]
    [TestCase("densenet8", DataSetKind.Svhn, "densenet8 on SVHN")]
    public void AnotherModelOrDataSetIsRefusedNamingTheMapsAndTheExpectedOnes(string model, DataSetKind data, string expected)
    {
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, model, data, "maps/fm.json"),
            Throws.InstanceOf<UserInputException>().With.Message.StartsWith(
                $"maps/fm.json: the map is for mlp:500-500 on Fashion-MNIST (grid.model 'mlp', grid.data FashionMnist), but the run uses {expected}; ")
                .And.Message.Contains($"autobatch beacons --model {model} --data {data}"));
    }

    private static BeaconMap CustomMap(string model) => Map with { Grid = Map.Grid with { Model = model } };

    [Test]
    public void AUserModelsMap_PassesForTheSameFingerprint() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(CustomMap("custom:net@0123456789abcdef"), "custom:net@0123456789abcdef", DataSetKind.FashionMnist),
            Throws.Nothing);

    [TestCase("custom:net@fedcba9876543210", DataSetKind.FashionMnist)]
    [TestCase("custom:other@0123456789abcdef", DataSetKind.FashionMnist)]
    [TestCase("custom:net@0123456789abcdef", DataSetKind.Mnist)]
    [TestCase("mlp", DataSetKind.FashionMnist)]
    public void AUserModelsMap_IsRefusedForAnotherArchitectureOrDataSet(string model, DataSetKind data)
    {
        string expected = model == "mlp" ? "mlp:500-500" : model;
        Assert.That(
            () => MapCompatibility.EnsureCompatible(CustomMap("custom:net@0123456789abcdef"), model, data, "net.json"),
            Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith(
                $"net.json: the map is for custom:net@0123456789abcdef on Fashion-MNIST, but the run uses {expected} on {(data == DataSetKind.Mnist ? "MNIST" : "Fashion-MNIST")}; ")
                .And.Message.Contains("a map describes one architecture"));
    }

    [Test]
    public void ABuiltInModelsMap_IsRefusedForAUserModel() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, "custom:net@0123456789abcdef", DataSetKind.FashionMnist, "fm.json"),
            Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith(
                "fm.json: the map is for mlp:500-500 on Fashion-MNIST, but the run uses custom:net@0123456789abcdef on Fashion-MNIST; "));

    [Test]
    public void WithoutAPathTheMessageSaysTheBeaconMap() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, "resnet8", DataSetKind.Cifar10),
            Throws.InstanceOf<UserInputException>().With.Message.StartsWith("the beacon map: the map is for mlp:500-500 on Fashion-MNIST"));

    [TestCase("FashionMnist")]
    [TestCase("fashion-mnist")]
    [TestCase("Fashion-MNIST")]
    public void DataSetNamesAreTheEnumOrTheWrittenName(string data) =>
        Assert.That(() => MapCompatibility.EnsureCompatible(Map, "mlp", data), Throws.Nothing);

    [Test]
    public void AWrittenDataSetNameOfAnotherDataSetIsRefused() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, "mlp", "cifar-100", "m.json"),
            Throws.InstanceOf<UserInputException>().With.Message.Contains("but the run uses mlp:500-500 on CIFAR-100"));

    [Test]
    public void AnUnknownDataSetNameIsAnArgumentErrorListingTheNames() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, "mlp", "imagenet"),
            Throws.ArgumentException.With.Message.StartsWith("Unknown data set 'imagenet': expected one of FashionMnist, Mnist, Cifar10, Cifar100, Svhn."));

    [Test]
    public void AnInvalidExpectedModelIsAnArgumentErrorNamingIt() =>
        Assert.That(
            () => MapCompatibility.EnsureCompatible(Map, "resnet7", DataSetKind.FashionMnist),
            Throws.ArgumentException.With.Message.Contains("'resnet7'"));

    [Test]
    public void AMapOfAModelThisBuildDoesNotKnowIsRefusedNamingIt()
    {
        BeaconMap alien = Map with { Grid = Map.Grid with { Model = "vit-b16" } };
        Assert.That(
            () => MapCompatibility.EnsureCompatible(alien, "mlp", DataSetKind.FashionMnist, "m.json"),
            Throws.InstanceOf<UserInputException>().With.Message.EqualTo(
                "m.json: grid.model 'vit-b16' is not a model this build knows; expected a map for mlp:500-500 on Fashion-MNIST."));
    }
}
