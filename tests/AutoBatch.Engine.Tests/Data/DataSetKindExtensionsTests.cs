using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class DataSetKindExtensionsTests
{
    [TestCase(DataSetKind.FashionMnist, AugmentationKind.CropOnly)]
    [TestCase(DataSetKind.Mnist, AugmentationKind.CropOnly)]
    [TestCase(DataSetKind.Svhn, AugmentationKind.CropOnly)]
    [TestCase(DataSetKind.Cifar10, AugmentationKind.CropAndFlip)]
    [TestCase(DataSetKind.Cifar100, AugmentationKind.CropAndFlip)]
    public void DefaultAugmentation_FollowsThePaper(DataSetKind kind, AugmentationKind expected)
    {
        Assert.That(kind.DefaultAugmentation(), Is.EqualTo(expected));
    }

    [TestCase(DataSetKind.FashionMnist, 10)]
    [TestCase(DataSetKind.Mnist, 10)]
    [TestCase(DataSetKind.Svhn, 10)]
    [TestCase(DataSetKind.Cifar10, 10)]
    [TestCase(DataSetKind.Cifar100, 100)]
    public void ClassCount_MatchesTheDataSet(DataSetKind kind, int classes)
    {
        Assert.That(kind.ClassCount(), Is.EqualTo(classes));
    }

    [TestCase(DataSetKind.FashionMnist, "Fashion-MNIST")]
    [TestCase(DataSetKind.Cifar100, "CIFAR-100")]
    [TestCase(DataSetKind.Svhn, "SVHN")]
    public void DisplayName_IsTheUsualSpelling(DataSetKind kind, string name)
    {
        Assert.That(kind.DisplayName(), Is.EqualTo(name));
    }

    [Test]
    public void UnknownKind_Throws()
    {
        Assert.That(() => ((DataSetKind)99).DefaultAugmentation(), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
