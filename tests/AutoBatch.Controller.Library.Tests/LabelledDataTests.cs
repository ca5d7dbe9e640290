using static TorchSharp.torch;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>The ways samples enter the library: tensors, sample sequences (synchronous and asynchronous), and their checks.</summary>
public sealed class LabelledDataTests
{
    private static (float[] X, long[] Y) Batch(LabelledData data)
    {
        int[] all = [.. Enumerable.Range(0, data.Count)];
        var x = new float[data.Count * data.Shape.Size];
        var y = new long[data.Count];
        data.Source.FillPlain(all, x, y);
        return (x, y);
    }

    private static IEnumerable<(Tensor Image, long Label)> Samples(Tensor images, Tensor labels)
    {
        for (int i = 0; i < labels.shape[0]; i++)
        {
            yield return (images[i], labels[i].item<long>());
        }
    }

    private static async IAsyncEnumerable<(Tensor Image, long Label)> SamplesAsync(Tensor images, Tensor labels)
    {
        foreach ((Tensor Image, long Label) sample in Samples(images, labels))
        {
            await Task.Yield();
            yield return sample;
        }
    }

    [Test]
    public async Task SequencesAndTensors_GiveTheSameSamples_InOrder()
    {
        (Tensor images, Tensor labels) = TinyModels.Data(20, 3);

        LabelledData fromTensors = LabelledData.FromTensors(images, labels, classes: 3);
        LabelledData fromSamples = LabelledData.FromSamples(Samples(images, labels), 20, classes: 3);
        LabelledData fromAsync = await LabelledData.FromSamplesAsync(SamplesAsync(images, labels), 20, classes: 3);

        float[] expected = images.data<float>().ToArray();
        long[] expectedLabels = labels.data<long>().ToArray();
        foreach (LabelledData data in new[] { fromTensors, fromSamples, fromAsync })
        {
            (float[] x, long[] y) = Batch(data);
            Assert.That(x, Is.EqualTo(expected));
            Assert.That(y, Is.EqualTo(expectedLabels));
            Assert.That(data.Shape, Is.EqualTo(new AutoBatch.Engine.Models.InputShape(1, 8, 8)));
        }
    }

    [TestCase(19, "samples: the sequence holds more than the 19 samples announced.")]
    [TestCase(21, "samples: the sequence held 20 samples, 21 were announced.")]
    public void ASequenceOfAnotherLength_IsRefused(int announced, string message)
    {
        (Tensor images, Tensor labels) = TinyModels.Data(20, 3);

        Assert.That(
            () => LabelledData.FromSamples(Samples(images, labels), announced, classes: 3),
            Throws.ArgumentException.With.Message.EqualTo(message));
    }

    [Test]
    public void ALabelOutsideTheClasses_IsRefusedNamingTheSample()
    {
        (Tensor images, Tensor labels) = TinyModels.Data(20, 3);
        labels[4] = tensor(7L);

        Assert.That(
            () => LabelledData.FromTensors(images, labels, classes: 3, name: "mine"),
            Throws.ArgumentException.With.Message.EqualTo("mine: the label of sample 4 is 7, expected a class in 0..2."));
    }

    [Test]
    public void ClassesDefaultToTheLargestLabelPlusOne() =>
        Assert.That(LabelledData.FromTensors(zeros(4, 1, 2, 2), tensor(new long[] { 0, 4, 1, 2 })).Classes, Is.EqualTo(5));
}
