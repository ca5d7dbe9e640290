using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// The five batch sizes of a dynamic-sampling schedule (paper, Sec. 4.3): <c>s32-to-512</c> = {32, 64, 128, 256, 512},
/// <c>s512-to-32</c> = {512, 256, 128, 64, 32}, <c>s16-to-64</c> = {16, 16, 32, 32, 64}. The paper names three more
/// in Table 1 (<c>s32-to-128</c>, <c>s64-to-256</c>, <c>s128-to-512</c>) without listing them; they follow the
/// <c>s16-to-64</c> pattern for a 4x range ({A, A, 2A, 2A, 4A}) as that is the only 4x sequence it gives.
/// </summary>
public static partial class StageSequence
{
    /// <summary>Stages of every dynamic-sampling schedule.</summary>
    public const int Stages = 5;

    /// <summary>The schedules the paper names.</summary>
    public static IReadOnlyList<string> PaperNames { get; } =
        ["s32-to-512", "s512-to-32", "s16-to-64", "s32-to-128", "s64-to-256", "s128-to-512"];

    /// <summary>
    /// The sequence of a name <c>sA-to-B</c> where B/A is 16 (doubling each stage), 4 ({A, A, 2A, 2A, 4A}) or the
    /// reverse of either.
    /// </summary>
    /// <exception cref="FormatException">The name has another form or range; the message lists what is supported.</exception>
    public static IReadOnlyList<int> Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Match m = NamePattern().Match(name.Trim());
        if (!m.Success)
        {
            throw new FormatException($"Schedule '{name}': expected sA-to-B (e.g. s32-to-512, s16-to-64).");
        }

        int from = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        int to = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        int low = Math.Min(from, to), high = Math.Max(from, to);
        if (low < 1)
        {
            throw new FormatException($"Schedule '{name}': batch sizes must be >= 1.");
        }

        int[] ascending = (long)high == 16L * low ? [low, 2 * low, 4 * low, 8 * low, 16 * low]
            : (long)high == 4L * low ? [low, low, 2 * low, 2 * low, 4 * low]
            : throw new FormatException(
                $"Schedule '{name}': the paper's five-stage sequences span 16x (s32-to-512) or 4x (s16-to-64); {high}/{low} is neither.");
        return from <= to ? ascending : ascending.Reverse().ToArray();
    }

    [GeneratedRegex(@"^s(\d{1,7})-to-s?(\d{1,7})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
