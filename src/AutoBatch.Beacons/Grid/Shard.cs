using System.Globalization;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// One shard of a grid for array jobs: shard i of n takes the runs whose canonical index ≡ i (mod n), so shards
/// are disjoint, cover the grid, and stay balanced across batch sizes.
/// </summary>
/// <param name="Index">0-based shard index.</param>
/// <param name="Count">Number of shards.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>The whole grid.</summary>
    public static Shard All { get; } = new(0, 1);

    /// <summary>Whether the run at canonical position <paramref name="runIndex"/> belongs to this shard.</summary>
    public bool Contains(int runIndex) => runIndex % Count == Index;

    /// <summary>The name of the shard setting in messages, unless the caller names it otherwise.</summary>
    public const string ShardSetting = "Shard";

    /// <summary>The name of the shard-count setting in messages, unless the caller names it otherwise.</summary>
    public const string ShardCountSetting = "ShardCount";

    /// <summary>Parses <c>i/n</c> (0 ≤ i &lt; n); the message names the input as <paramref name="input"/>.</summary>
    public static Shard Parse(string text, string input = ShardSetting)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n)
        {
            return new Shard(i, n);
        }

        throw new UserInputException(input, $"expected i/n with 0 <= i < n (e.g. 0/4), got '{text}'.");
    }

    /// <summary>
    /// The shard of an array job: index from <c>SLURM_ARRAY_TASK_ID</c> (Slurm) or <c>JOB_COMPLETION_INDEX</c>
    /// (Kubernetes Indexed Job), count from <paramref name="count"/>. <paramref name="nameOf"/> names the settings
    /// (<see cref="ShardSetting"/>, <see cref="ShardCountSetting"/>) in messages as the caller's user knows them.
    /// </summary>
    public static Shard FromEnvironment(int count, Func<string, string?>? environment = null, Func<string, string>? nameOf = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        nameOf ??= static setting => setting;
        string variable = environment("SLURM_ARRAY_TASK_ID") is not null ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX";
        string? value = environment(variable);
        if (value is null)
        {
            throw new UserInputException(nameOf(ShardCountSetting), $"neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; give {nameOf(ShardSetting)} i/n instead.");
        }

        try
        {
            return Parse(value + "/" + count.ToString(CultureInfo.InvariantCulture));
        }
        catch (UserInputException e)
        {
            // The index came from the environment, not from a shard the user typed: say where.
            throw new UserInputException(
                string.Create(CultureInfo.InvariantCulture, $"{nameOf(ShardCountSetting)} {count}"),
                string.Create(CultureInfo.InvariantCulture, $"{variable}={value} is not a shard index in 0..{count - 1} ({e.Message.TrimEnd('.')})."),
                e);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
