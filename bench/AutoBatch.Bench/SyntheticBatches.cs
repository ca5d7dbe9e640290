using AutoBatch.Engine.Models;

namespace AutoBatch.Bench;

/// <summary>
/// A few pre-generated batches of standard-normal images and uniform labels, cycled through so that data
/// preparation never enters a timing (the PyTorch peer does the same).
/// </summary>
internal sealed class SyntheticBatches
{
    private readonly float[][] _inputs;
    private readonly long[][] _labels;

    public SyntheticBatches(InputShape shape, int classes, int batch, int count, int seed)
    {
        var random = new Random(seed);
        _inputs = new float[count][];
        _labels = new long[count][];
        for (int b = 0; b < count; b++)
        {
            var x = new float[batch * shape.Size];
            for (int i = 0; i < x.Length; i++)
            {
                // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
                double u = 1.0 - random.NextDouble();
                x[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
            }

            var y = new long[batch];
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = random.Next(classes);
            }

            _inputs[b] = x;
            _labels[b] = y;
        }
    }

    public float[] Input(int step) => _inputs[step % _inputs.Length];

    public long[] Labels(int step) => _labels[step % _labels.Length];
}
