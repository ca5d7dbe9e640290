using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Hosting;

/// <summary>Cross-field and semantic checks of <see cref="TrainOptions"/>, run on start.</summary>
public sealed class TrainOptionsValidator : IValidateOptions<TrainOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        try
        {
            ModelSpec.Parse(options.Model, new InputShape(1, 28, 28), 10);
        }
        catch (ArgumentException e)
        {
            failures.Add($"--model: {e.Message}");
        }

        if (!Enum.IsDefined(options.Data))
        {
            failures.Add($"--data: '{options.Data}' is not one of {string.Join(", ", Enum.GetNames<DataSetKind>())}.");
        }

        if (options.DataPath is null && options.Data != DataSetKind.FashionMnist)
        {
            failures.Add($"--data-path: required for {options.Data} (only Fashion-MNIST has a default folder).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
