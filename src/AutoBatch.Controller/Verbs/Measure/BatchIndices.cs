using System.Globalization;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>The sample indices of the batch the <c>measure</c> verb probes: given by the user, or drawn from a seed.</summary>
internal static class BatchIndices
{
    /// <summary>PCG stream of the drawn batch, apart from the trainer's data order (1) and augmentation (2).</summary>
    public const ulong DrawStream = 3;

    /// <summary>PCG stream of the measure verb's augmentation.</summary>
    public const ulong AugmentStream = 4;

    /// <summary>Parses comma-separated, distinct, non-negative indices; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out int[] indices, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        indices = [];
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (text.Trim().Length == 0)
        {
            error = "expected a comma-separated list of training-set indices such as 1,5,9; found nothing.";
            return false;
        }

        var values = new int[parts.Length];
        var seen = new HashSet<int>();
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                error = $"'{parts[i]}' (item {i + 1} of '{text}') is not a non-negative integer; expected a comma-separated list such as 1,5,9.";
                return false;
            }

            if (!seen.Add(values[i]))
            {
                error = $"index {values[i]} appears more than once; a batch needs distinct samples.";
                return false;
            }
        }

        indices = values;
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// <paramref name="batchSize"/> distinct indices in [0, <paramref name="count"/>), uniformly at random from
    /// <paramref name="seed"/>: the first steps of a Fisher–Yates shuffle, in draw order.
    /// </summary>
    public static int[] Draw(long seed, int batchSize, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, count);
        var rng = new Pcg32(unchecked((ulong)seed), DrawStream);
        int[] pool = Enumerable.Range(0, count).ToArray();
        for (int i = 0; i < batchSize; i++)
        {
            int j = i + rng.NextInt(count - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..batchSize];
    }
}
