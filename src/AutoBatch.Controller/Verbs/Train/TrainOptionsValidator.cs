using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Train;

/// <summary>Cross-field and semantic checks of <see cref="TrainOptions"/>, run on start.</summary>
public sealed class TrainOptionsValidator : IValidateOptions<TrainOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CommonOptionChecks.ModelAndData(typeof(TrainOptions), options.Model, options.Data, options.DataPath, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
