using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Data;

/// <summary>
/// Samples that are already float32 and already normalised (a library user's own data), held in memory: a batch is a
/// copy of the indexed rows, without augmentation, so <see cref="Fill"/> and <see cref="FillPlain"/> agree and draw
/// nothing from the generator.
/// </summary>
public sealed class InMemoryBatchSource : IBatchSource
{
    private readonly float[] _samples;
    private readonly long[] _labels;

    /// <summary>Wraps (does not copy) <paramref name="samples"/> (Count x C x H x W, row after row) and <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The sample count and label count disagree, a label is outside [0, <paramref name="classes"/>), or a value is not
    /// finite; the message names <paramref name="source"/>.
    /// </exception>
    public InMemoryBatchSource(float[] samples, long[] labels, InputShape shape, int classes, string source)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (labels.Length == 0)
        {
            throw new ArgumentException($"{source}: no samples.");
        }

        if (samples.LongLength != (long)labels.Length * shape.Size)
        {
            throw new ArgumentException(
                $"{source}: {labels.Length} labels need {labels.Length} x {shape} = {(long)labels.Length * shape.Size} values, found {samples.LongLength}.");
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"{source}: the label of sample {i} is {labels[i]}, expected a class in 0..{classes - 1}.");
            }
        }

        int bad = Array.FindIndex(samples, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"{source}: value {bad % shape.Size} of sample {bad / shape.Size} is {samples[bad]}, expected a finite number.");
        }

        _samples = samples;
        _labels = labels;
        Shape = shape;
        Classes = classes;
        Source = source;
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public InputShape Shape { get; }

    /// <inheritdoc/>
    public int Classes { get; }

    /// <inheritdoc/>
    public string Source { get; }

    /// <inheritdoc/>
    public int SampleSize => Shape.Size;

    /// <summary>The samples, row after row (for fingerprints; not to be changed).</summary>
    public ReadOnlySpan<float> Samples => _samples;

    /// <summary>The labels (for fingerprints; not to be changed).</summary>
    public ReadOnlySpan<long> Labels => _labels;

    /// <inheritdoc/>
    public void Fill(ReadOnlySpan<int> indices, Pcg32 rng, Span<float> x, Span<long> y) => FillPlain(indices, x, y);

    /// <inheritdoc/>
    public void FillPlain(ReadOnlySpan<int> indices, Span<float> x, Span<long> y)
    {
        int size = SampleSize;
        if (x.Length != (long)indices.Length * size || y.Length != indices.Length)
        {
            throw new ArgumentException($"Expected {indices.Length} x {size} floats and {indices.Length} labels for the batch, found {x.Length} and {y.Length}.");
        }

        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Index {i} of the batch is outside the source's 0..{Count - 1}.");
            }

            _samples.AsSpan(index * size, size).CopyTo(x.Slice(i * size, size));
            y[i] = _labels[index];
        }
    }
}
