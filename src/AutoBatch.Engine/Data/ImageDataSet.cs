namespace AutoBatch.Engine.Data;

/// <summary>
/// An in-memory image classification data set: <see cref="Count"/> images of
/// <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/> unsigned bytes, stored image after image in
/// CHW order, with one label per image.
/// </summary>
public sealed class ImageDataSet
{
    /// <summary>Wraps (does not copy) <paramref name="pixels"/> and <paramref name="labels"/> after validating them.</summary>
    /// <exception cref="InvalidDataException">
    /// The pixel count is not <c>labels.Length * channels * height * width</c>, or a label is not in
    /// [0, <paramref name="classes"/>); the message names <paramref name="source"/>.
    /// </exception>
    public ImageDataSet(byte[] pixels, byte[] labels, int channels, int height, int width, int classes, string source)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, 256);

        Int128 expected = (Int128)labels.Length * channels * height * width;
        if (pixels.LongLength != expected)
        {
            throw new UserInputException(source, $"expected {labels.Length} images x {channels}x{height}x{width} = {expected} pixel bytes, found {pixels.LongLength}.");
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
            {
                throw new UserInputException(source, $"label of image {i} is {labels[i]}, expected a class in 0..{classes - 1}.");
            }
        }

        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
        Source = source;
    }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Colour channels per image (1 for grey-scale, 3 for RGB).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of classes; every label is in [0, Classes).</summary>
    public int Classes { get; }

    /// <summary>Bytes per image: <c>Channels * Height * Width</c>.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>All pixels, <c>Count * ImageSize</c> bytes, CHW within each image.</summary>
    public byte[] Pixels { get; }

    /// <summary>One label per image, in [0, <see cref="Classes"/>).</summary>
    public byte[] Labels { get; }

    /// <summary>The file or files the data came from, for error messages and logs.</summary>
    public string Source { get; }

    /// <summary>The CHW pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>
    /// A random subset of <paramref name="count"/> images, the same for every call with the same seed (so every run
    /// of a grid trains on the same subset); the whole set when <paramref name="count"/> is at least <see cref="Count"/>.
    /// </summary>
    public ImageDataSet Subset(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count >= Count)
        {
            return this;
        }

        int[] order = Enumerable.Range(0, Count).ToArray();
        new Randomness.Pcg32(seed, stream: 7).Shuffle(order);
        Array.Sort(order, 0, count);
        var pixels = new byte[(long)count * ImageSize];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            Image(order[i]).CopyTo(pixels.AsSpan(i * ImageSize, ImageSize));
            labels[i] = Labels[order[i]];
        }

        return new ImageDataSet(pixels, labels, Channels, Height, Width, Classes, $"{Source} (subset of {count}, seed {seed})");
    }
}
