using AutoBatch.Engine.Models;

namespace AutoBatch.Engine.Training;

/// <summary>The check both engines make of a batch before it crosses to tensors.</summary>
internal static class BatchShape
{
    /// <summary>B, when <paramref name="x"/> holds B samples of <paramref name="input"/> for the B labels of <paramref name="y"/>.</summary>
    public static int Check(ReadOnlySpan<float> x, ReadOnlySpan<long> y, InputShape input)
    {
        if (y.Length < 1)
        {
            throw new ArgumentException("A batch needs at least one sample.", nameof(y));
        }

        long expected = (long)y.Length * input.Size;
        if (x.Length != expected)
        {
            throw new ArgumentException(
                $"Input holds {x.Length} values; {y.Length} samples of shape {input} need {expected}. Does the data set match the model's input?",
                nameof(x));
        }

        return y.Length;
    }
}
