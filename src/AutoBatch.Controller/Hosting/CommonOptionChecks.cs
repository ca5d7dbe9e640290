using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;

namespace AutoBatch.Controller.Hosting;

/// <summary>Checks shared by the verbs' option validators; each failure names the flag the verb's record declares.</summary>
internal static class CommonOptionChecks
{
    /// <summary>
    /// The model parses, the data set is a known one, and a data folder is given where there is no default. The
    /// failures name the flags <paramref name="optionsType"/> declares (<see cref="OptionRecord.FlagOf"/>) for its
    /// <c>Model</c>, <c>Data</c> and <c>DataPath</c> properties, e.g. <c>--model</c>, <c>--data</c> and <c>--data-path</c>.
    /// </summary>
    public static void ModelAndData(Type optionsType, string model, DataSetKind data, string? dataPath, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        try
        {
            // The shape only matters for building the network; any valid shape checks the name.
            ModelSpec.Parse(model, new InputShape(1, 28, 28), 10);
        }
        catch (ArgumentException e)
        {
            failures.Add($"{OptionRecord.FlagOf(optionsType, "Model")}: {e.Message}");
        }

        if (!Enum.IsDefined(data))
        {
            failures.Add($"{OptionRecord.FlagOf(optionsType, "Data")}: '{data}' is not one of {string.Join(", ", Enum.GetNames<DataSetKind>())}.");
        }

        if (dataPath is null && data != DataSetKind.FashionMnist)
        {
            failures.Add($"{OptionRecord.FlagOf(optionsType, "DataPath")}: required for {data} (only Fashion-MNIST has a default folder).");
        }
    }
}
