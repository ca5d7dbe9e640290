using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoBatch.Controller.Policies;

/// <summary>
/// A schedule as the user names it: <c>closed-loop</c>, <c>noise-scale</c>, <c>best</c> (the map's best fixed
/// beacon), <c>s128</c> (fixed), <c>s32-to-512</c> or <c>s32-to-512-∅</c> (five-stage over the whole run) and
/// <c>s32-to-512-MS</c> (five-stage within each learning-rate phase). Any of them may end in <c>+keep</c>,
/// <c>+linear</c> or <c>+sqrt</c> to fix its learning-rate rule (e.g. <c>closed-loop+linear</c>), so that one comparison
/// can hold the same policy under two rules.
/// </summary>
public sealed partial record ScheduleSpec
{
    private ScheduleSpec(ScheduleKind kind, string name, int? batchSize, bool multiStage)
    {
        Kind = kind;
        Name = name;
        BatchSize = batchSize;
        MultiStage = multiStage;
    }

    /// <summary>The learning-rate rule fixed by a <c>+rule</c> suffix, or null (the run's <c>--lr-rule</c>).</summary>
    public LearningRateRule? Rule { get; private init; }

    /// <summary>The kind.</summary>
    public ScheduleKind Kind { get; }

    /// <summary>Canonical name (<c>s32-to-512-∅</c> for the whole-run variant).</summary>
    public string Name { get; }

    /// <summary>Batch size of a fixed schedule.</summary>
    public int? BatchSize { get; }

    /// <summary>True for -MS.</summary>
    public bool MultiStage { get; }

    /// <summary>A file-name-safe id (<c>s32-to-512-0</c> for -∅).</summary>
    public string Id => Name.Replace("∅", "0", StringComparison.Ordinal);

    /// <summary>Parses a schedule name.</summary>
    /// <exception cref="FormatException">Not a schedule; the message lists the accepted forms.</exception>
    public static ScheduleSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int plus = t.LastIndexOf('+');
        if (plus > 0)
        {
            LearningRateRule rule = t[(plus + 1)..].ToLowerInvariant() switch
            {
                "keep" => LearningRateRule.Keep,
                "linear" => LearningRateRule.Linear,
                "sqrt" => LearningRateRule.SquareRoot,
                _ => throw new FormatException($"Schedule '{text}': the rule after '+' must be keep, linear or sqrt."),
            };
            ScheduleSpec inner = Parse(t[..plus]);
            return new ScheduleSpec(inner.Kind, inner.Name + "+" + t[(plus + 1)..].ToLowerInvariant(), inner.BatchSize, inner.MultiStage) { Rule = rule };
        }

        switch (t.ToLowerInvariant())
        {
            case "closed-loop":
                return new ScheduleSpec(ScheduleKind.ClosedLoop, "closed-loop", null, false);
            case "noise-scale":
                return new ScheduleSpec(ScheduleKind.NoiseScale, "noise-scale", null, false);
            case "best":
                return new ScheduleSpec(ScheduleKind.Best, "best", null, false);
        }

        Match fixedMatch = FixedPattern().Match(t);
        if (fixedMatch.Success)
        {
            int b = int.Parse(fixedMatch.Groups[1].Value, CultureInfo.InvariantCulture);
            return b >= 1
                ? new ScheduleSpec(ScheduleKind.Fixed, string.Create(CultureInfo.InvariantCulture, $"s{b}"), b, false)
                : throw new FormatException($"Schedule '{text}': the batch size must be >= 1.");
        }

        Match staged = StagedPattern().Match(t);
        if (staged.Success)
        {
            string sequence = staged.Groups[1].Value.ToLowerInvariant();
            try
            {
                StageSequence.Parse(sequence);
            }
            catch (FormatException e)
            {
                throw new FormatException($"Schedule '{text}': {e.Message}", e);
            }

            bool multi = staged.Groups[2].Value.Equals("-MS", StringComparison.OrdinalIgnoreCase);
            return new ScheduleSpec(ScheduleKind.Staged, sequence + (multi ? "-MS" : "-∅"), null, multi);
        }

        throw new FormatException(
            $"Schedule '{text}': expected closed-loop, noise-scale, best, sB (fixed, e.g. s128), sA-to-B or sA-to-B-MS (e.g. s32-to-512-MS), each optionally with +keep, +linear or +sqrt (its α rule, e.g. closed-loop+linear).");
    }

    /// <summary>The sequence of a staged schedule.</summary>
    public IReadOnlyList<int> Sequence =>
        Kind == ScheduleKind.Staged ? StageSequence.Parse(StagedBase) : throw new InvalidOperationException($"{Name} is not a staged schedule.");

    /// <summary>The <c>sA-to-B</c> part of a staged schedule's name.</summary>
    public string StagedBase
    {
        get
        {
            string name = Rule is null ? Name : Name[..Name.LastIndexOf('+')];
            return name[..name.LastIndexOf('-')];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    [GeneratedRegex(@"^s(\d{1,7})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FixedPattern();

    [GeneratedRegex(@"^(s\d{1,7}-to-s?\d{1,7})(-MS|-∅|-0|-none)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StagedPattern();
}
