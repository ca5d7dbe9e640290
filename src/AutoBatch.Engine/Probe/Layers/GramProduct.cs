using AutoBatch.Engine.Kernels;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Float64 Grams of per-sample rows: every layer's contribution to F̃ ends in one of these products, and forming a
/// Gram squares the condition number, so products and sums are float64 even for float32 rows (float32 products
/// would bury eigenvalues below ~1e-7 λmax).
/// </summary>
internal static unsafe class GramProduct
{
    /// <summary>
    /// rows rowsᵀ (n x n float64, on the host) for n rows of p values (float32 or float64, on any device), by our
    /// kernel (AVX-512 where the CPU has it, else BLAS dsyrk; <see cref="GramOptions.Kernel"/>): every product and sum
    /// in float64 without converting the rows to float64 first. With <paramref name="lowerOnly"/> only the lower
    /// triangle (row i: entries 0..i) is written and the rest of the matrix is undefined, which saves the mirroring
    /// and the zeroing for a caller that reads the lower triangle only (the probe's sum into F̃).
    /// </summary>
    public static Tensor Of(Tensor rows, GramOptions options, bool lowerOnly = false)
    {
        using var scope = NewDisposeScope();
        long n = rows.shape[0];
        long p = n == 0 ? 0 : rows.numel() / n;
        if (p == 0)
        {
            return zeros([n, n], ScalarType.Float64).MoveToOuterDisposeScope();
        }

        Tensor gram = empty([n, n], ScalarType.Float64);

        double* output = (double*)HostTensors.Address(gram);
        if (rows.dtype == ScalarType.Float64)
        {
            Tensor host = HostTensors.Host(rows.reshape(n, p), ScalarType.Float64);
            ProbeKernels.RowGram((double*)HostTensors.Address(host), n, p, p, output, options.Kernel, options.Threads, lowerOnly);
        }
        else
        {
            Tensor host = HostTensors.Host(rows.reshape(n, p), ScalarType.Float32);
            ProbeKernels.RowGram((float*)HostTensors.Address(host), n, p, p, output, options.Kernel, options.Threads, lowerOnly);
        }

        return gram.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Gram of the per-sample rows that <paramref name="rows"/>(start, count) computes for a range of samples, each
    /// row p float32 values and <paramref name="scratchPerRow"/> bytes of scratch. When all B rows fit under the memory
    /// cap they are built in chunks and multiplied once; otherwise they are recomputed block pair by block pair, two
    /// float64 blocks at a time. <paramref name="lowerOnly"/>: as for <see cref="Of"/> (the block-pair path fills
    /// both triangles regardless).
    /// </summary>
    public static Tensor FromRows(Func<long, long, Tensor> rows, long batch, long p, long scratchPerRow, GramOptions options, bool lowerOnly = false)
    {
        long cap = options.MemoryCapBytes;
        long rowBytes = 4 * p;
        using var scope = NewDisposeScope();
        if (batch * rowBytes <= cap)
        {
            long chunk = Math.Max(1, cap / Math.Max(1, rowBytes + scratchPerRow));
            Tensor all;
            if (chunk >= batch)
            {
                all = rows(0, batch);
            }
            else
            {
                // On the host: rows computed on a device are copied here chunk by chunk, for the kernel.
                all = empty([batch, p], ScalarType.Float32);
                for (long start = 0; start < batch; start += chunk)
                {
                    using var inner = NewDisposeScope();
                    long count = Math.Min(chunk, batch - start);
                    all.narrow(0, start, count).copy_(rows(start, count));
                }
            }

            return Of(all, options, lowerOnly).MoveToOuterDisposeScope();
        }

        long block = Math.Max(1, cap / Math.Max(1, (2 * 8 * p) + rowBytes + scratchPerRow));
        Tensor gram = zeros([batch, batch], ScalarType.Float64);
        for (long i0 = 0; i0 < batch; i0 += block)
        {
            using var outer = NewDisposeScope();
            long ni = Math.Min(block, batch - i0);
            Tensor pi = rows(i0, ni).to(ScalarType.Float64);
            gram.narrow(0, i0, ni).narrow(1, i0, ni).copy_(Of(pi, options));
            for (long j0 = i0 + ni; j0 < batch; j0 += block)
            {
                using var inner = NewDisposeScope();
                long nj = Math.Min(block, batch - j0);
                Tensor product = pi.mm(rows(j0, nj).to(ScalarType.Float64).t()).cpu();
                gram.narrow(0, i0, ni).narrow(1, j0, nj).copy_(product);
                gram.narrow(0, j0, nj).narrow(1, i0, ni).copy_(product.t());
            }
        }

        return gram.MoveToOuterDisposeScope();
    }
}
