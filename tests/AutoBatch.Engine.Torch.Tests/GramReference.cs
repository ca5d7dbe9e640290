namespace AutoBatch.Engine.Tests.Torch;

/// <summary>F̃ by definition from per-sample gradient rows, in plain float64 loops: the tests' independent reference.</summary>
internal static class GramReference
{
    /// <summary>F̃_ij = ⟨g_i, g_j⟩ for <paramref name="batch"/> rows of <paramref name="p"/> float32 values.</summary>
    public static double[] FromRows(float[] rows, int batch, long p)
    {
        var gram = new double[batch * batch];
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (long k = 0; k < p; k++)
                {
                    sum += (double)rows[(i * p) + k] * rows[(j * p) + k];
                }

                gram[(i * batch) + j] = gram[(j * batch) + i] = sum;
            }
        }

        return gram;
    }
}
