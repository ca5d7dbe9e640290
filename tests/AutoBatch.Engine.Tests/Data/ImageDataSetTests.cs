using AutoBatch.Engine.Data;

namespace AutoBatch.Engine.Tests.Data;

[TestFixture]
public sealed class ImageDataSetTests
{
    [Test]
    public void Constructor_ExposesShapeAndImages()
    {
        byte[] pixels = [.. Enumerable.Range(0, 2 * 3 * 2 * 2).Select(i => (byte)i)];

        var data = new ImageDataSet(pixels, [1, 0], channels: 3, height: 2, width: 2, classes: 2, source: "mem");

        Assert.Multiple(() =>
        {
            Assert.That(data.Count, Is.EqualTo(2));
            Assert.That(data.ImageSize, Is.EqualTo(12));
            Assert.That(data.Image(1).ToArray(), Is.EqualTo(pixels[12..]));
            Assert.That(data.Source, Is.EqualTo("mem"));
        });
    }

    [Test]
    public void Constructor_PixelCountMismatch_NamesSource()
    {
        Assert.That(
            () => new ImageDataSet(new byte[11], [0, 1], 1, 2, 3, 10, "some/file.bin"),
            Throws.InstanceOf<UserInputException>().With.Message.Contains("some/file.bin").And.Message.Contains("found 11"));
    }

    [Test]
    public void Constructor_LabelOutOfRange_NamesSourceAndImage()
    {
        Assert.That(
            () => new ImageDataSet(new byte[2], [0, 10], 1, 1, 1, 10, "some/labels"),
            Throws.InstanceOf<UserInputException>().With.Message.Contains("some/labels").And.Message.Contains("image 1"));
    }

    [Test]
    public void Image_OutOfRange_Throws()
    {
        var data = new ImageDataSet(new byte[2], [0, 1], 1, 1, 1, 10, "mem");

        Assert.That(() => data.Image(2), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
