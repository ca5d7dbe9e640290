using AutoBatch.Engine.Models;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.TestUtilities;

/// <summary>Deterministic synthetic batches for engine tests.</summary>
public static class TestBatches
{
    public static (float[] X, long[] Y) Random(InputShape shape, int batch, int classes, ulong seed)
    {
        var rng = new Pcg32(seed);
        var x = new float[batch * shape.Size];
        for (int i = 0; i < x.Length; i++)
        {
            // Roughly standard normal (sum of uniforms), like normalised images.
            x[i] = (float)((rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 2.0);
        }

        var y = new long[batch];
        for (int i = 0; i < batch; i++)
        {
            y[i] = rng.NextInt(classes);
        }

        return (x, y);
    }

    public static InputShape Mnist { get; } = new(1, 28, 28);

    public static InputShape Cifar { get; } = new(3, 32, 32);
}
