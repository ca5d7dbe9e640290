using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>
/// libautobatch_kernels (ProbeKernels), each kernel against an independent computation written here (plain float64
/// loops, or TorchSharp's float64 ops), in the TorchSharp process: the library needs no libtorch of its own. This file:
/// what the library loads, and the arguments it refuses; the kernels' tests are in the other KernelTests.*.cs files.
/// </summary>
public sealed partial class KernelTests
{
    private const double Sentinel = -12345.625;

    /// <summary>The kernels this CPU runs: AVX-512 only where it has AVX-512F.</summary>
    private static IEnumerable<GramKernel> Kernels() =>
        ProbeKernels.Avx512Available ? [GramKernel.Auto, GramKernel.Blas, GramKernel.Avx512] : [GramKernel.Auto, GramKernel.Blas];

    [Test]
    public void Library_LoadsWithoutAnyLibtorchOfItsOwn()
    {
        _ = ProbeKernels.Avx512Available;
        string[] maps = File.ReadAllLines("/proc/self/maps");
        Assert.That(maps.Any(l => l.EndsWith("/libautobatch_kernels.so", StringComparison.Ordinal)), Is.True, "the kernels are loaded");
        Assert.That(maps.Where(l => l.Contains("libautobatch_native", StringComparison.Ordinal)), Is.Empty, "the libtorch 1.13 engine is not");
        Assert.That(maps.Where(l => l.Contains("/usr/lib/x86_64-linux-gnu/libtorch", StringComparison.Ordinal)), Is.Empty, "nor Debian's libtorch");
    }

    [Test]
    public void Avx512Available_IsWhatTheCpuSays()
    {
        bool cpu = File.ReadAllText("/proc/cpuinfo").Split('\n').Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Split(' ').Contains("avx512f"));
        Assert.That(ProbeKernels.Avx512Available, Is.EqualTo(cpu));
    }

    [Test]
    public unsafe void RowGram_RefusesBadArguments_WithTheNativeMessage()
    {
        var rows = new float[12];
        var output = new double[16];
        fixed (float* r = rows)
        fixed (double* o = output)
        {
            float* pr = r;
            double* po = o;
            AssertRefused(() => ProbeKernels.RowGram(pr, -1, 3, 3, po, GramKernel.Auto, 1, false), "abk_row_gram_f32: n and k must be >= 0, got n = -1");
            AssertRefused(() => ProbeKernels.RowGram(pr, 4, -3, 3, po, GramKernel.Auto, 1, false), "n and k must be >= 0");
            AssertRefused(() => ProbeKernels.RowGram((float*)null, 4, 3, 3, po, GramKernel.Auto, 1, false), "abk_row_gram_f32: the rows are null");
            AssertRefused(() => ProbeKernels.RowGram(pr, 4, 3, 3, null, GramKernel.Auto, 1, false), "the output is null");
            AssertRefused(() => ProbeKernels.RowGram(pr, 4, 3, 2, po, GramKernel.Auto, 1, false), "the row stride ld (2) is less than the row length k (3)");
            AssertRefused(() => ProbeKernels.RowGram(pr, 4, 3, 3, po, GramKernel.Auto, 0, false), "threads must be 1..1024, got 0");
            AssertRefused(() => ProbeKernels.RowGram(pr, 4, 3, 3, po, (GramKernel)7, 1, false), "kernel must be 0 (auto), 1 (blas) or 2 (avx512), got 7");
            AssertRefused(() => ProbeKernels.RowGram((double*)null, 4, 3, 3, po, GramKernel.Auto, 1, false), "abk_row_gram_f64: the rows are null");
            AssertRefused(() => ProbeKernels.RowGram(pr, long.MaxValue / 2, 3, 3, po, GramKernel.Auto, 1, false), "more than any buffer holds");
            AssertRefused(() => ProbeKernels.MirrorLower(po, -2), "abk_mirror_lower: n must be >= 0, got -2");
            AssertRefused(() => ProbeKernels.MirrorLower(null, 3), "abk_mirror_lower: the matrix is null");
            if (!ProbeKernels.Avx512Available)
            {
                AssertRefused(() => ProbeKernels.RowGram(pr, 4, 3, 3, po, GramKernel.Avx512, 1, false), "kernel avx512 was asked for, but this CPU has no AVX-512F");
            }

            // Nothing to do: accepted without buffers.
            ProbeKernels.RowGram((float*)null, 0, 3, 3, null, GramKernel.Auto, 1, false);
            ProbeKernels.MirrorLower(null, 0);
        }

        Assert.That(output, Is.All.EqualTo(0.0), "a refused call writes nothing");
    }

    [Test]
    public unsafe void DirectConvRows_RefusesBadArguments_WithTheNativeMessage()
    {
        var shape = new DirectConvShape(2, 5, 5, 3, 3, 3, 3, 3, 2, 2, 1, 1);
        var x = new float[2 * 2 * 5 * 5];
        var delta = new float[2 * 3 * 3 * 3];
        var output = new float[2 * 54];
        fixed (float* px = x)
        fixed (float* pd = delta)
        fixed (float* po = output)
        {
            float* a = px, d = pd, o = po;
            AssertRefused(() => ProbeKernels.DirectConvRows(shape, a, d, -1, o, 54, 1), "abk_direct_conv_rows: n must be >= 0, got -1");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape with { OutHeight = 4 }, a, d, 2, o, 54, 1), "the output is 4 x 3, the geometry gives 3 x 3");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape with { KernelWidth = 8 }, a, d, 2, o, 54, 1), "kernel does not fit the padded 7 x 7 input");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape with { StrideHeight = 0 }, a, d, 2, o, 54, 1), "stride must be >= 1");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape with { PadWidth = -1 }, a, d, 2, o, 54, 1), "padding >= 0");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape, a, d, 2, o, 53, 1), "the row stride ld (53) is less than the 54 gradients of a row");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape, null, d, 2, o, 54, 1), "x, delta or out is null");
            AssertRefused(() => ProbeKernels.DirectConvRows(shape, a, d, 2, o, 54, -4), "threads must be 1..1024, got -4");
        }

        Assert.That(output, Is.All.EqualTo(0f));
    }

    [Test]
    public unsafe void BatchNormSums_AndSpectrum_RefuseBadArguments_WithTheNativeMessage()
    {
        var values = new float[2 * 3 * 4];
        var shift = new double[3];
        var sums = new double[4][];
        for (int s = 0; s < 4; s++)
        {
            sums[s] = new double[6];
        }

        var gram = new double[] { 2, 1, 1, 2 };
        fixed (float* px = values)
        fixed (double* ps = shift, s0 = sums[0], s1 = sums[1], s2 = sums[2], s3 = sums[3], pg = gram)
        {
            float* x = px;
            double* k = ps, a = s0, b = s1, c = s2, d = s3, g = pg;
            AssertRefused(() => ProbeKernels.BatchNormSums(x, x, 2, -3, 4, k, GramKernel.Auto, 1, a, b, c, d), "abk_batch_norm_sums: n, channels and positions must be >= 0, got 2, -3, 4");
            AssertRefused(() => ProbeKernels.BatchNormSums(x, x, 2, 3, 4, null, GramKernel.Auto, 1, a, b, c, d), "abk_batch_norm_sums: the shift is null");
            AssertRefused(() => ProbeKernels.BatchNormSums(x, null, 2, 3, 4, k, GramKernel.Auto, 1, a, b, c, d), "x or delta is null");
            AssertRefused(() => ProbeKernels.BatchNormSums(x, x, 2, 3, 4, k, GramKernel.Auto, 1, a, b, null, d), "an output is null");
            AssertRefused(() => ProbeKernels.BatchNormSums(x, x, 2, 3, 4, k, GramKernel.Auto, 2000, a, b, c, d), "threads must be 1..1024, got 2000");

            SpectrumExtremes result = default;
            AssertRefused(() => ProbeKernels.TrySpectrumExtremes(g, -1, 2, 0.01, out result), "abk_spectrum_extremes: n must be >= 1, got -1");
            AssertRefused(() => ProbeKernels.TrySpectrumExtremes(null, 2, 2, 0.01, out result), "the matrix or the output is null");
            AssertRefused(() => ProbeKernels.TrySpectrumExtremes(g, 2, 0, 0.01, out result), "max_abs must be a positive finite number");
            AssertRefused(() => ProbeKernels.TrySpectrumExtremes(g, 2, double.NaN, 0.01, out result), "max_abs must be a positive finite number");
            AssertRefused(() => ProbeKernels.TrySpectrumExtremes(g, 2, 2, 1.0, out result), "the rank tolerance must be in [0, 1), got 1");
        }

        Assert.That(sums.SelectMany(s => s), Is.All.EqualTo(0.0));
    }

    private static void AssertRefused(TestDelegate call, string message)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.That(e!.Message, Does.Contain(message));
    }

    // ---- Shared helpers --------------------------------------------------------------------------------------

    private static float[] RandomFloats(Random random, long count, float scale = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }

        return values;
    }

    private static double[] RandomDoubles(Random random, long count)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = random.NextDouble() * 2 - 1;
        }

        return values;
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
