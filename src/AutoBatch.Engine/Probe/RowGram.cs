using AutoBatch.Engine.Interop;

namespace AutoBatch.Engine.Probe;

/// <summary>
/// The float64 Gram product X Xᵀ that every layer's contribution to F̃ ends in, by a chosen <see cref="GramKernel"/>,
/// exactly as the probe computes it. For tests that check each kernel against an independent computation.
/// </summary>
internal static class RowGram
{
    /// <summary>The n x n Gram (row-major) of <paramref name="n"/> float32 rows of <paramref name="k"/> values.</summary>
    public static double[] Compute(ReadOnlySpan<float> rows, int n, int k, GramKernel kernel) => Multiply(rows, n, k, kernel);

    /// <summary>The n x n Gram (row-major) of <paramref name="n"/> float64 rows of <paramref name="k"/> values.</summary>
    public static double[] Compute(ReadOnlySpan<double> rows, int n, int k, GramKernel kernel) => Multiply(rows, n, k, kernel);

    private static unsafe double[] Multiply<T>(ReadOnlySpan<T> rows, int n, int k, GramKernel kernel)
        where T : unmanaged
    {
        if (n < 1 || k < 1 || rows.Length != (long)n * k)
        {
            throw new ArgumentException($"Rows hold {rows.Length} values; {n} rows of {k} need {(long)n * k} (n and k >= 1).", nameof(rows));
        }

        var gram = new double[(long)n * n];
        fixed (T* pr = rows)
        fixed (double* pg = gram)
        {
            NativeMethods.Check(NativeMethods.RowGram(pr, sizeof(T), n, k, (int)kernel, pg));
        }

        return gram;
    }
}
