using AutoBatch.Engine.Models;

namespace AutoBatch.Engine.Tests.Models;

public sealed class ModelSpecTests
{
    [TestCase("mlp", ModelKind.Mlp)]
    [TestCase("MLP:300-100", ModelKind.Mlp)]
    [TestCase("resnet8", ModelKind.ResNet)]
    [TestCase("resnet110", ModelKind.ResNet)]
    [TestCase("densenet8", ModelKind.DenseNet)]
    [TestCase("densenet:2-2/4-4/8/b/0.5", ModelKind.DenseNet)]
    public void ParsesKnownNames(string name, ModelKind kind) =>
        Assert.That(ModelSpec.Parse(name, TestBatches.Mnist, 10).Kind, Is.EqualTo(kind));

    [TestCase("resnet9")]
    [TestCase("resnet2")]
    [TestCase("vgg16")]
    [TestCase("mlp:abc")]
    [TestCase("densenet:1-2")]
    [TestCase("densenet:2-2/4")]
    public void RejectsBadNamesWithTheName(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(name, TestBatches.Mnist, 10));
        Assert.That(e!.Message, Does.Contain(name));
    }

    [Test]
    public void RejectsOneClass() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSpec.Mlp(TestBatches.Mnist, 1, 10));
}
