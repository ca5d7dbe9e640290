namespace AutoBatch.Engine.Data;

/// <summary>
/// Per-channel normalisation <c>(pixel / 255 - Mean[c]) / Std[c]</c>, with statistics taken from the
/// training set so that the test set is normalised the same way.
/// </summary>
public sealed class ChannelNormalisation
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>Creates a normalisation from per-channel means and standard deviations of pixels scaled to [0, 1].</summary>
    /// <exception cref="ArgumentException">The lists are empty or differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A mean is not finite or a standard deviation is not finite and positive.</exception>
    public ChannelNormalisation(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"Expected one mean and one standard deviation per channel, found {mean.Count} means and {std.Count} deviations.", nameof(std));
        }

        for (int c = 0; c < mean.Count; c++)
        {
            if (!double.IsFinite(mean[c]))
            {
                throw new ArgumentOutOfRangeException(nameof(mean), mean[c], $"The mean of channel {c} must be finite.");
            }

            if (!double.IsFinite(std[c]) || std[c] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(std), std[c], $"The standard deviation of channel {c} must be finite and positive.");
            }
        }

        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>Mean of each channel's pixels scaled to [0, 1].</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Population standard deviation of each channel's pixels scaled to [0, 1].</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>
    /// Computes the per-channel mean and population standard deviation of <paramref name="data"/>'s pixels scaled to
    /// [0, 1]. A channel with zero variance gets a standard deviation of 1, so it is centred but not scaled.
    /// </summary>
    public static ChannelNormalisation FromData(ImageDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException($"Cannot compute channel statistics of an empty data set ({data.Source}).", nameof(data));
        }

        // Integer histograms of the 256 byte values per channel shrink the float64 reductions to 256 terms each, so
        // the two-pass mean and variance cost one pass over the pixels and lose no accuracy to long sums.
        int plane = data.Height * data.Width;
        long[] histogram = new long[data.Channels * 256];
        Count(data.Pixels, data.Count, data.Channels, plane, histogram);

        double perChannel = (double)data.Count * plane;
        double[] mean = new double[data.Channels];
        double[] std = new double[data.Channels];
        for (int c = 0; c < data.Channels; c++)
        {
            ReadOnlySpan<long> counts = histogram.AsSpan(c * 256, 256);
            double sum = 0;
            for (int v = 0; v < 256; v++)
            {
                sum += counts[v] * (v / 255.0);
            }

            mean[c] = sum / perChannel;
            double squares = 0;
            for (int v = 0; v < 256; v++)
            {
                double d = (v / 255.0) - mean[c];
                squares += counts[v] * d * d;
            }

            // A constant channel would leave only round-off in the variance; test for it exactly instead.
            bool constant = counts.Count(0L) == 255;
            std[c] = constant ? 1.0 : Math.Sqrt(squares / perChannel);
        }

        return new ChannelNormalisation(mean, std);
    }

    /// <summary>
    /// Adds every pixel of channel c to <c>histogram[c * 256 + value]</c>. Four interleaved sub-histograms break the
    /// store-to-load dependency between equal neighbouring pixels (half of a digit image is 0), and pointers rather
    /// than spans keep the pass fast in unoptimised (Debug) builds too. Every index is in range by construction:
    /// a byte is below 256 and <c>pixels.Length == count * channels * plane</c> is checked first.
    /// </summary>
    private static unsafe void Count(byte[] pixels, int count, int channels, int plane, long[] histogram)
    {
        if (pixels.Length != (long)count * channels * plane || histogram.Length != channels * 256)
        {
            throw new ArgumentException("Pixel or histogram length does not match the shape.", nameof(pixels));
        }

        const int Ways = 4;
        long[] partial = new long[Ways * 256];
        fixed (byte* first = pixels)
        fixed (long* h = partial)
        {
            for (int c = 0; c < channels; c++)
            {
                Array.Clear(partial);
                long* h0 = h;
                long* h1 = h + 256;
                long* h2 = h + 512;
                long* h3 = h + 768;
                for (int image = 0; image < count; image++)
                {
                    byte* p = first + (((long)image * channels) + c) * plane;
                    byte* end = p + plane;
                    for (; p + Ways <= end; p += Ways)
                    {
                        h0[p[0]]++;
                        h1[p[1]]++;
                        h2[p[2]]++;
                        h3[p[3]]++;
                    }

                    for (; p < end; p++)
                    {
                        h0[*p]++;
                    }
                }

                for (int v = 0; v < 256; v++)
                {
                    histogram[(c * 256) + v] = h0[v] + h1[v] + h2[v] + h3[v];
                }
            }
        }
    }

    /// <summary>The normalised value of byte <paramref name="pixel"/> in channel <paramref name="channel"/>.</summary>
    public double Apply(int channel, byte pixel) => ((pixel / 255.0) - _mean[channel]) / _std[channel];
}
