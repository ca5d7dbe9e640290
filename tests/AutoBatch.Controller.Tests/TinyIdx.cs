using System.Buffers.Binary;

namespace AutoBatch.Controller.Tests;

/// <summary>Writes a tiny IDX data set (the four MNIST file names) with learnable synthetic classes.</summary>
internal static class TinyIdx
{
    public static string Write(int train = 120, int test = 40, int side = 28)
    {
        string dir = Path.Combine(Path.GetTempPath(), "autobatch-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        WritePair(dir, "train", train, side, 1);
        WritePair(dir, "t10k", test, side, 2);
        return dir;
    }

    private static void WritePair(string dir, string prefix, int count, int side, int seed)
    {
        var rng = new Random(seed);
        var images = new byte[16 + count * side * side];
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), side);
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x0801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int i = 0; i < count; i++)
        {
            int label = rng.Next(10);
            labels[8 + i] = (byte)label;
            for (int p = 0; p < side * side; p++)
            {
                // A bright band whose row depends on the class, plus noise.
                int row = p / side;
                images[16 + i * side * side + p] = (byte)Math.Min(255, (row / 3 == label ? 200 : 0) + rng.Next(40));
            }
        }

        File.WriteAllBytes(Path.Combine(dir, prefix + "-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(dir, prefix + "-labels-idx1-ubyte"), labels);
    }
}
