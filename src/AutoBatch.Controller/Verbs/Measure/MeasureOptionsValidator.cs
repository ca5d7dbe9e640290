using AutoBatch.Controller.Hosting;
using AutoBatch.Engine.Probe;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>
/// Cross-field and semantic checks of <see cref="MeasureOptions"/>, run on start. Checks that need the data set
/// (indices within it, a batch no larger than it) happen in <see cref="MeasureService"/> once it is loaded.
/// </summary>
public sealed class MeasureOptionsValidator : IValidateOptions<MeasureOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MeasureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CommonOptionChecks.ModelAndData(typeof(MeasureOptions), options.Model, options.Data, options.DataPath, failures);

        if (options.Weights is not null && Directory.Exists(options.Weights))
        {
            failures.Add($"{Flag(nameof(MeasureOptions.Weights))}: '{options.Weights}' is a directory; expected a safetensors weights file (see docs/WEIGHTS.md).");
        }
        else if (options.Weights is not null && !File.Exists(options.Weights))
        {
            failures.Add($"{Flag(nameof(MeasureOptions.Weights))}: file '{options.Weights}' does not exist; expected a safetensors weights file (see docs/WEIGHTS.md).");
        }

        if (options.Indices is not null)
        {
            if (!BatchIndices.TryParse(options.Indices, out int[] indices, out string error))
            {
                failures.Add($"{Flag(nameof(MeasureOptions.Indices))}: {error}");
            }
            else if (options.BatchSize is { } b && b != indices.Length)
            {
                failures.Add($"{Flag(nameof(MeasureOptions.BatchSize))}: {b} conflicts with {Flag(nameof(MeasureOptions.Indices))}, which lists {indices.Length} samples; give one or the other.");
            }
        }

        if (!Enum.IsDefined(options.BnMode))
        {
            failures.Add($"{Flag(nameof(MeasureOptions.BnMode))}: '{options.BnMode}' is not one of train, eval.");
        }

        if (!Enum.IsDefined(options.GramMode))
        {
            failures.Add($"{Flag(nameof(MeasureOptions.GramMode))}: '{options.GramMode}' is not one of auto, ghost, materialise.");
        }

        if (options.RankTolerance is { } t && !(t > 0 && t < 1))
        {
            failures.Add($"{Flag(nameof(MeasureOptions.RankTolerance))}: {t} is outside (0, 1); it is relative to the largest singular value.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(MeasureOptions), property);
}
