using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Data;

/// <summary>
/// Where a <see cref="Training.Trainer"/> takes its mini-batches from: a fixed set of <see cref="Count"/> labelled
/// samples, addressed by index, written as float32 NCHW into caller-owned buffers. The built-in data sets are a
/// <see cref="BatchAssembler"/> (bytes, normalised and augmented on the fly); a library user's own samples are an
/// <see cref="InMemoryBatchSource"/>.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Shape of one sample (C x H x W).</summary>
    InputShape Shape { get; }

    /// <summary>Number of classes; every label is in [0, Classes).</summary>
    int Classes { get; }

    /// <summary>Where the samples came from, for messages.</summary>
    string Source { get; }

    /// <summary>Floats per sample: <c>Shape.Size</c>.</summary>
    int SampleSize { get; }

    /// <summary>
    /// Writes the training batch for <paramref name="indices"/> (augmented with draws from <paramref name="rng"/> where
    /// the source augments), <c>indices.Length * SampleSize</c> floats into <paramref name="x"/> and the labels into
    /// <paramref name="y"/>.
    /// </summary>
    void Fill(ReadOnlySpan<int> indices, Pcg32 rng, Span<float> x, Span<long> y);

    /// <summary>Writes the evaluation batch for <paramref name="indices"/>: never augmented.</summary>
    void FillPlain(ReadOnlySpan<int> indices, Span<float> x, Span<long> y);
}
