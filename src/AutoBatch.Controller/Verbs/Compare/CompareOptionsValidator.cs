using System.Globalization;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Engine;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Compare;

/// <summary>Checks of <see cref="CompareOptions"/> run on start, before any run is started; each failure names the flag.</summary>
public sealed class CompareOptionsValidator : IValidateOptions<CompareOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, CompareOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        try
        {
            ParseSchedules(options.Schedules);
        }
        catch (UserInputException e)
        {
            failures.Add(e.Message);
        }

        try
        {
            ParseSeeds(options.Seeds);
        }
        catch (UserInputException e)
        {
            failures.Add(e.Message);
        }

        if (!string.IsNullOrWhiteSpace(options.Map) && !File.Exists(options.Map))
        {
            failures.Add($"{Flag(nameof(CompareOptions.Map))}: '{options.Map}' does not exist (build one with the beacons verb, or pass the prebuilt {RunOptions.DefaultMap}).");
        }

        if (OutputPaths.FolderProblem(options.Output, Flag(nameof(CompareOptions.Output))) is { } output)
        {
            failures.Add(output);
        }

        if (options.DataPath is { } data && !Directory.Exists(data))
        {
            failures.Add($"{Flag(nameof(CompareOptions.DataPath))}: '{data}' is not a folder.");
        }

        if (options.LearningRateRule is { } rule && !Enum.IsDefined(rule))
        {
            failures.Add($"{Flag(nameof(CompareOptions.LearningRateRule))}: '{rule}' is not one of {string.Join(", ", Enum.GetNames<LearningRateRule>())}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Parses --schedules into canonical names; throws <see cref="UserInputException"/> naming the flag.</summary>
    public static IReadOnlyList<string> ParseSchedules(string text)
    {
        string[] items = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            throw new UserInputException(Flag(nameof(CompareOptions.Schedules)), "give at least one schedule.");
        }

        var schedules = new List<ScheduleSpec>();
        foreach (string item in items)
        {
            try
            {
                schedules.Add(ScheduleSpec.Parse(item));
            }
            catch (FormatException e)
            {
                throw new UserInputException(Flag(nameof(CompareOptions.Schedules)), $"{e.Message}", e);
            }
        }

        string[] repeated = schedules.GroupBy(s => s.Id).Where(g => g.Count() > 1).Select(g => g.First().Name).ToArray();
        if (repeated.Length > 0)
        {
            throw new UserInputException(Flag(nameof(CompareOptions.Schedules)), $"{string.Join(", ", repeated)} given more than once.");
        }

        return schedules.Select(s => s.Name).ToArray();
    }

    /// <summary>Parses --seeds; throws <see cref="UserInputException"/> naming the flag.</summary>
    public static IReadOnlyList<long> ParseSeeds(string text)
    {
        long[] seeds;
        try
        {
            seeds = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UserInputException(Flag(nameof(CompareOptions.Seeds)), $"expected a comma-separated list of integers, got '{text}'.", e);
        }

        if (seeds.Length == 0)
        {
            throw new UserInputException(Flag(nameof(CompareOptions.Seeds)), "give at least one seed.");
        }

        if (seeds.Distinct().Count() != seeds.Length)
        {
            throw new UserInputException(Flag(nameof(CompareOptions.Seeds)), "a seed is repeated.");
        }

        return seeds;
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(CompareOptions), property);
}
