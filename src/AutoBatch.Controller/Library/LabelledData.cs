using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Labelled images for <see cref="AutoBatchTrainer"/> and <see cref="BeaconGrid"/>: held in memory as float32
/// C x H x W samples with int64 class labels. Build it from a pair of tensors, from a sequence of samples (synchronous or
/// asynchronous) whose count is known, or from one of the built-in image formats with <see cref="Load"/>.
/// </summary>
public sealed class LabelledData
{
    private LabelledData(IBatchSource source, string trainingSet, DataSetKind kind, AugmentationKind augmentation)
    {
        Source = source;
        TrainingSet = trainingSet;
        Kind = kind;
        Augmentation = augmentation;
    }

    /// <summary>Number of samples.</summary>
    public int Count => Source.Count;

    /// <summary>Shape of one sample (channels x height x width).</summary>
    public InputShape Shape => Source.Shape;

    /// <summary>Number of classes; every label is in [0, Classes).</summary>
    public int Classes => Source.Classes;

    /// <summary>
    /// The data set that records and beacon maps name these samples by: the one read by <see cref="Load"/>, or the one
    /// given to <see cref="FromTensors"/> (a map is used only for runs of the same model on the same named data set).
    /// </summary>
    public DataSetKind Kind { get; }

    /// <summary>Where the samples came from, for messages.</summary>
    public string Name => Source.Source;

    internal IBatchSource Source { get; }

    internal string TrainingSet { get; }

    internal AugmentationKind Augmentation { get; }

    /// <summary>
    /// Samples from a pair of tensors, copied to the host once: <paramref name="images"/> N x C x H x W (any floating
    /// type, already normalised as the model expects; no augmentation is applied) and <paramref name="labels"/> N
    /// integer class labels.
    /// </summary>
    /// <param name="images">N x C x H x W images.</param>
    /// <param name="labels">N labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes (default: the largest label + 1, at least 2).</param>
    /// <param name="kind">The data set that records and maps name the samples by (default Fashion-MNIST).</param>
    /// <param name="name">Where the samples came from, for messages (default "tensors").</param>
    /// <exception cref="ArgumentException">The shapes do not fit, a label is out of range or a value is not finite.</exception>
    public static LabelledData FromTensors(Tensor images, Tensor labels, int? classes = null, DataSetKind kind = DataSetKind.FashionMnist, string name = "tensors")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"{name}: images must be N x C x H x W, found shape [{string.Join(", ", images.shape)}].", nameof(images));
        }

        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"{name}: labels must be one per image ({images.shape[0]}), found shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        var shape = new InputShape((int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
        float[] values;
        long[] targets;
        using (NewDisposeScope())
        {
            values = images.detach().to(float32).cpu().contiguous().data<float>().ToArray();
            targets = labels.detach().to(int64).cpu().contiguous().data<long>().ToArray();
        }

        return FromArrays(values, targets, shape, classes, kind, name);
    }

    /// <summary>
    /// Samples from a sequence of (image, label) pairs, each image a C x H x W tensor, read once into memory. The count
    /// must be known up front and the sequence must hold exactly that many.
    /// </summary>
    /// <param name="samples">The samples.</param>
    /// <param name="count">How many there are.</param>
    /// <param name="classes">Number of classes (default: the largest label + 1, at least 2).</param>
    /// <param name="kind">The data set that records and maps name the samples by (default Fashion-MNIST).</param>
    /// <param name="name">Where the samples came from, for messages (default "samples").</param>
    /// <exception cref="ArgumentException">The sequence holds another number of samples, or the samples' shapes differ.</exception>
    public static LabelledData FromSamples(
        IEnumerable<(Tensor Image, long Label)> samples, int count, int? classes = null, DataSetKind kind = DataSetKind.FashionMnist, string name = "samples")
    {
        ArgumentNullException.ThrowIfNull(samples);
        var reader = new SampleReader(count, name);
        foreach ((Tensor image, long label) in samples)
        {
            reader.Add(image, label);
        }

        return reader.Finish(classes, kind);
    }

    /// <summary>As <see cref="FromSamples"/>, from an asynchronous sequence.</summary>
    /// <param name="samples">The samples.</param>
    /// <param name="count">How many there are.</param>
    /// <param name="classes">Number of classes (default: the largest label + 1, at least 2).</param>
    /// <param name="kind">The data set that records and maps name the samples by (default Fashion-MNIST).</param>
    /// <param name="name">Where the samples came from, for messages (default "samples").</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task<LabelledData> FromSamplesAsync(
        IAsyncEnumerable<(Tensor Image, long Label)> samples, int count, int? classes = null, DataSetKind kind = DataSetKind.FashionMnist,
        string name = "samples", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var reader = new SampleReader(count, name);
        await foreach ((Tensor image, long label) in samples.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            reader.Add(image, label);
        }

        return reader.Finish(classes, kind);
    }

    /// <summary>
    /// A built-in data set's training and test sets from its files (MNIST and Fashion-MNIST IDX, CIFAR-10/100 binary,
    /// SVHN .mat), normalised per channel with the training set's statistics, the training batches augmented as in
    /// the paper (random 4-pixel crops, plus flips for CIFAR) unless <paramref name="augment"/> is false.
    /// </summary>
    /// <param name="kind">Which data set.</param>
    /// <param name="folder">Its folder (default: Debian's Fashion-MNIST folder, /usr/share/datasets/fashion-mnist).</param>
    /// <param name="trainSubset">Use a fixed random subset of this many training images (default all).</param>
    /// <param name="testSubset">Use a fixed random subset of this many test images (default all).</param>
    /// <param name="augment">Augment the training batches (default true; turn it off for a model without convolutions).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists the expected files.</exception>
    public static (LabelledData Train, LabelledData Test) Load(
        DataSetKind kind = DataSetKind.FashionMnist, string? folder = null, int? trainSubset = null, int? testSubset = null, bool augment = true)
    {
        (ImageDataSet train, ImageDataSet test) = DataSetLoader.Load(kind, folder ?? DataSetLoader.DefaultFashionMnistDirectory);
        train = trainSubset is { } n ? train.Subset(n, seed: 0) : train;
        test = testSubset is { } m ? test.Subset(m, seed: 0) : test;
        var normalisation = ChannelNormalisation.FromData(train);
        AugmentationKind augmentation = augment ? kind.DefaultAugmentation() : AugmentationKind.None;
        return (
            new LabelledData(new BatchAssembler(train, normalisation, augmentation), RunIdentity.TrainingSet(train), kind, augmentation),
            new LabelledData(new BatchAssembler(test, normalisation, AugmentationKind.None), RunIdentity.TrainingSet(test), kind, AugmentationKind.None));
    }

    private static LabelledData FromArrays(float[] values, long[] labels, InputShape shape, int? classes, DataSetKind kind, string name)
    {
        int k = classes ?? (int)Math.Max(2, labels.Length == 0 ? 2 : labels.Max() + 1);
        var source = new InMemoryBatchSource(values, labels, shape, k, name);
        return new LabelledData(source, RunIdentity.TrainingSet(source), kind, AugmentationKind.None);
    }

    // Copies samples into one array as they arrive.
    private sealed class SampleReader(int count, string name)
    {
        private readonly long[] _labels = count >= 1 ? new long[count] : throw new ArgumentOutOfRangeException(nameof(count), count, $"{name}: the count must be >= 1.");
        private float[]? _values;
        private InputShape _shape;
        private int _read;

        public void Add(Tensor image, long label)
        {
            ArgumentNullException.ThrowIfNull(image);
            if (_read == count)
            {
                throw new ArgumentException($"{name}: the sequence holds more than the {count} samples announced.");
            }

            if (image.dim() != 3)
            {
                throw new ArgumentException($"{name}: sample {_read} must be C x H x W, found shape [{string.Join(", ", image.shape)}].");
            }

            var shape = new InputShape((int)image.shape[0], (int)image.shape[1], (int)image.shape[2]);
            if (_values is null)
            {
                _shape = shape;
                _values = new float[(long)count * shape.Size];
            }
            else if (shape != _shape)
            {
                throw new ArgumentException($"{name}: sample {_read} is {shape}, the first was {_shape}.");
            }

            using (NewDisposeScope())
            {
                image.detach().to(float32).cpu().contiguous().data<float>().ToArray().CopyTo(_values.AsSpan(_read * shape.Size, shape.Size));
            }

            _labels[_read++] = label;
        }

        public LabelledData Finish(int? classes, DataSetKind kind)
        {
            if (_read != count || _values is null)
            {
                throw new ArgumentException($"{name}: the sequence held {_read} samples, {count} were announced.");
            }

            return FromArrays(_values, _labels, _shape, classes, kind, name);
        }
    }
}
