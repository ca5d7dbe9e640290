using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Policies;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Run;

/// <summary>Cross-field checks of <see cref="RunOptions"/>, run on start; each failure names the flag.</summary>
public sealed class RunOptionsValidator : IValidateOptions<RunOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ScheduleSpec? schedule = null;
        try
        {
            schedule = ScheduleSpec.Parse(options.Schedule);
        }
        catch (FormatException e)
        {
            failures.Add($"{Flag(nameof(RunOptions.Schedule))}: {e.Message}");
        }

        if (options.MinBatchSize > options.MaxBatchSize)
        {
            failures.Add($"{Flag(nameof(RunOptions.MinBatchSize))} ({options.MinBatchSize}) must be <= {Flag(nameof(RunOptions.MaxBatchSize))} ({options.MaxBatchSize}).");
        }

        if (schedule is { Kind: ScheduleKind.ClosedLoop or ScheduleKind.Best } && string.IsNullOrWhiteSpace(options.Map))
        {
            failures.Add($"{Flag(nameof(RunOptions.Map))}: the {schedule.Name} schedule needs a beacon map.");
        }

        if (string.IsNullOrWhiteSpace(options.Map))
        {
            if (options.Model is null || options.Epochs is null || options.LearningRate is null)
            {
                failures.Add($"{Flag(nameof(RunOptions.Map))}: without a map, give {Flag(nameof(RunOptions.Model))}, {Flag(nameof(RunOptions.Epochs))} and {Flag(nameof(RunOptions.LearningRate))}.");
            }
        }
        else if (!File.Exists(options.Map))
        {
            failures.Add($"{Flag(nameof(RunOptions.Map))}: '{options.Map}' does not exist (build one with the beacons verb, or pass the prebuilt beacon-data/fashion-mnist-mlp.json).");
        }

        if (options.Model is { } model && options.Data is { } data)
        {
            CommonOptionChecks.ModelAndData(typeof(RunOptions), model, data, options.DataPath, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(RunOptions), property);
}
