using System.Runtime.CompilerServices;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Data;

/// <summary>
/// Turns image indices into a mini-batch: float32 NCHW pixels, normalised per channel and optionally augmented, plus
/// int64 labels, written into caller-owned buffers so that nothing is allocated per batch.
/// </summary>
/// <remarks>
/// Augmentation follows He et al. (2016), Sec. 4.2, applied after normalisation (see <see cref="AugmentationKind"/>):
/// for each image, in index order, the generator draws the crop offset <c>dy = NextInt(9)</c>, then
/// <c>dx = NextInt(9)</c>, then for <see cref="AugmentationKind.CropAndFlip"/> the flip <c>NextInt(2) == 1</c>.
/// Output pixel (r, c) is the normalised pixel (r + dy - 4, c + dx - 4) of the source, or 0 where that falls in the
/// padding; a flipped image is that crop mirrored left-right. The batch is therefore a pure function of the indices
/// and the generator's state. The assembler holds no mutable state, so threads may fill different buffers at once.
/// </remarks>
public sealed class BatchAssembler : IBatchSource
{
    /// <summary>Zero padding on each side before the random crop, in pixels.</summary>
    public const int Padding = 4;

    private readonly float[] _lookup;

    /// <summary>Creates an assembler over <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The normalisation has a different channel count from the data.</exception>
    public BatchAssembler(ImageDataSet data, ChannelNormalisation normalisation, AugmentationKind augmentation)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(normalisation);
        if (normalisation.Channels != data.Channels)
        {
            throw new ArgumentException(
                $"The normalisation has {normalisation.Channels} channels but the data set {data.Source} has {data.Channels}.", nameof(normalisation));
        }

        if (!Enum.IsDefined(augmentation))
        {
            throw new ArgumentOutOfRangeException(nameof(augmentation), augmentation, "Unknown augmentation kind.");
        }

        DataSet = data;
        Normalisation = normalisation;
        Augmentation = augmentation;

        // Every byte value of every channel normalised once: the per-pixel work is then one table look-up.
        _lookup = new float[data.Channels * 256];
        for (int c = 0; c < data.Channels; c++)
        {
            for (int v = 0; v < 256; v++)
            {
                _lookup[(c * 256) + v] = (float)normalisation.Apply(c, (byte)v);
            }
        }
    }

    /// <summary>The images the batches are drawn from.</summary>
    public ImageDataSet DataSet { get; }

    /// <summary>The per-channel normalisation applied to every pixel.</summary>
    public ChannelNormalisation Normalisation { get; }

    /// <summary>The augmentation <see cref="Fill"/> applies.</summary>
    public AugmentationKind Augmentation { get; }

    /// <summary>Floats per image in <c>x</c>: <c>Channels * Height * Width</c>.</summary>
    public int SampleSize => DataSet.ImageSize;

    /// <inheritdoc/>
    public int Count => DataSet.Count;

    /// <inheritdoc/>
    public InputShape Shape => new(DataSet.Channels, DataSet.Height, DataSet.Width);

    /// <inheritdoc/>
    public int Classes => DataSet.Classes;

    /// <inheritdoc/>
    public string Source => DataSet.Source;

    /// <summary>
    /// Writes the training batch for <paramref name="indices"/>: augmented with draws from <paramref name="rng"/>
    /// (none when <see cref="Augmentation"/> is <see cref="AugmentationKind.None"/>) and normalised.
    /// </summary>
    /// <param name="indices">Images to use, each in [0, Count); repeats are allowed.</param>
    /// <param name="rng">Source of the crop offsets and flips.</param>
    /// <param name="x">Receives <c>indices.Length * SampleSize</c> floats, NCHW.</param>
    /// <param name="y">Receives <c>indices.Length</c> labels.</param>
    // The per-pixel loops below are compiled fully optimised on first use instead of waiting for tiered compilation,
    // which on a busy machine can leave them unoptimised (4-6x slower) for the whole first epoch.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(ReadOnlySpan<int> indices, Pcg32 rng, Span<float> x, Span<long> y)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Validate(indices, x, y);
        int size = SampleSize;
        for (int i = 0; i < indices.Length; i++)
        {
            Span<float> sample = x.Slice(i * size, size);
            if (Augmentation == AugmentationKind.None)
            {
                WritePlain(indices[i], sample);
            }
            else
            {
                int dy = rng.NextInt((2 * Padding) + 1) - Padding;
                int dx = rng.NextInt((2 * Padding) + 1) - Padding;
                bool flip = Augmentation == AugmentationKind.CropAndFlip && rng.NextInt(2) == 1;
                WriteShifted(indices[i], dy, dx, flip, sample);
            }

            y[i] = DataSet.Labels[indices[i]];
        }
    }

    /// <summary>Writes the evaluation batch for <paramref name="indices"/>: normalised, never augmented.</summary>
    /// <param name="indices">Images to use, each in [0, Count).</param>
    /// <param name="x">Receives <c>indices.Length * SampleSize</c> floats, NCHW.</param>
    /// <param name="y">Receives <c>indices.Length</c> labels.</param>
    public void FillPlain(ReadOnlySpan<int> indices, Span<float> x, Span<long> y)
    {
        Validate(indices, x, y);
        int size = SampleSize;
        for (int i = 0; i < indices.Length; i++)
        {
            WritePlain(indices[i], x.Slice(i * size, size));
            y[i] = DataSet.Labels[indices[i]];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WritePlain(int index, Span<float> sample)
    {
        ReadOnlySpan<byte> image = DataSet.Image(index);
        int plane = DataSet.Height * DataSet.Width;
        for (int c = 0; c < DataSet.Channels; c++)
        {
            Map(image.Slice(c * plane, plane), sample.Slice(c * plane, plane), _lookup.AsSpan(c * 256, 256), reverse: false);
        }
    }

    /// <summary>Output (r, c) = source (r + dy, c + dx), or source (r + dy, W - 1 - c + dx) when flipped; 0 outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteShifted(int index, int dy, int dx, bool flip, Span<float> sample)
    {
        ReadOnlySpan<byte> image = DataSet.Image(index);
        int height = DataSet.Height;
        int width = DataSet.Width;
        int plane = height * width;

        // Output columns whose source column lies inside the image.
        int lo = Math.Clamp(flip ? dx : -dx, 0, width);
        int hi = Math.Clamp(flip ? width + dx : width - dx, lo, width);
        for (int c = 0; c < DataSet.Channels; c++)
        {
            ReadOnlySpan<float> lookup = _lookup.AsSpan(c * 256, 256);
            for (int r = 0; r < height; r++)
            {
                Span<float> dst = sample.Slice((c * plane) + (r * width), width);
                int sourceRow = r + dy;
                if (sourceRow < 0 || sourceRow >= height)
                {
                    dst.Clear();
                    continue;
                }

                ReadOnlySpan<byte> src = image.Slice((c * plane) + (sourceRow * width), width);
                dst[..lo].Clear();
                dst[hi..].Clear();

                // Output columns lo..hi-1 read source columns lo+dx.. upwards, or (when flipped) W-1-lo+dx downwards.
                if (hi > lo)
                {
                    int first = flip ? width - hi + dx : lo + dx;
                    Map(src.Slice(first, hi - lo), dst[lo..hi], lookup, flip);
                }
            }
        }
    }

    /// <summary>
    /// <c>dst[i] = table[src[i]]</c>, or <c>table[src[^(i + 1)]]</c> when <paramref name="reverse"/>. This is the
    /// per-pixel hot loop: a byte index into a 256-entry table cannot be out of range, so after one length check it
    /// runs on pointers, which also keeps it fast in unoptimised (Debug) builds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Map(ReadOnlySpan<byte> src, Span<float> dst, ReadOnlySpan<float> table, bool reverse)
    {
        if (src.Length != dst.Length || table.Length != 256)
        {
            throw new ArgumentException("Source, destination and a 256-entry table are required.", nameof(src));
        }

        fixed (byte* s = src)
        fixed (float* d = dst)
        fixed (float* t = table)
        {
            int n = dst.Length;
            if (reverse)
            {
                byte* from = s + n - 1;
                for (int i = 0; i < n; i++)
                {
                    d[i] = t[*from--];
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    d[i] = t[s[i]];
                }
            }
        }
    }

    private void Validate(ReadOnlySpan<int> indices, Span<float> x, Span<long> y)
    {
        if (x.Length != (long)indices.Length * SampleSize)
        {
            throw new ArgumentException(
                $"Expected {indices.Length} x {SampleSize} = {(long)indices.Length * SampleSize} floats for the batch, found {x.Length}.", nameof(x));
        }

        if (y.Length != indices.Length)
        {
            throw new ArgumentException($"Expected {indices.Length} labels for the batch, found {y.Length}.", nameof(y));
        }

        int count = DataSet.Count;
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index {i} of the batch is outside the data set's 0..{count - 1}.");
            }
        }
    }
}
