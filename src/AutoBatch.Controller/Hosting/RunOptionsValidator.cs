using AutoBatch.Controller.Policies;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Hosting;

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
            failures.Add($"--schedule: {e.Message}");
        }

        if (options.MinBatchSize > options.MaxBatchSize)
        {
            failures.Add($"--min-batch-size ({options.MinBatchSize}) must be <= --max-batch-size ({options.MaxBatchSize}).");
        }

        if (schedule is { Kind: ScheduleKind.ClosedLoop or ScheduleKind.Best } && string.IsNullOrWhiteSpace(options.Map))
        {
            failures.Add($"--map: the {schedule.Name} schedule needs a beacon map.");
        }

        if (string.IsNullOrWhiteSpace(options.Map))
        {
            if (options.Model is null || options.Epochs is null || options.LearningRate is null)
            {
                failures.Add("--map: without a map, give --model, --epochs and --lr.");
            }
        }
        else if (!File.Exists(options.Map))
        {
            failures.Add($"--map: '{options.Map}' does not exist (build one with the beacons verb, or pass the prebuilt beacon-data/fashion-mnist-mlp.json).");
        }

        if (options.Model is { } model && options.Data is { } data)
        {
            CommonOptionChecks.ModelAndData(model, data, options.DataPath, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
