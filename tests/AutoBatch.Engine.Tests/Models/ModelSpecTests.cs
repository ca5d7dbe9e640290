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

    [TestCase("resnet7", "Model 'resnet7' is not valid: ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, ..., 110).")]
    [TestCase("mlp:0-5", "Model 'mlp:0-5' is not valid: MLP hidden widths must be >= 1, found 0.")]
    [TestCase("mlp:500-x", "Model 'mlp:500-x' is not valid: The input string 'x' was not in a correct format.")]
    [TestCase("densenet:2-2/4-4/8/b/1.5", "Model 'densenet:2-2/4-4/8/b/1.5' is not valid: DenseNet compression must be in (0, 1].")]
    [TestCase("resnet", "Unknown model 'resnet': expected mlp, mlp:W1-W2-..., resnet<6n+2> (e.g. resnet8, resnet110), densenet8, densenet110 or densenet:L1-L2-L3/G1-G2-G3.")]
    public void RejectionsStateTheRuleInOneLineWithoutParameterNames(string name, string expected)
    {
        // These messages reach users as "--model: <message>"; runtime parameter names and values would only confuse.
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(name, TestBatches.Mnist, 10));
        Assert.That(e!.Message, Is.EqualTo(expected));
    }

    [Test]
    public void RejectsOneClass() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSpec.Mlp(TestBatches.Mnist, 1, 10));
}
