using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;

namespace AutoBatch.Controller.Hosting;

/// <summary>Checks shared by the verbs' option validators; each failure names the flag.</summary>
internal static class CommonOptionChecks
{
    /// <summary>--model parses, --data is a known data set, and --data-path is given where there is no default.</summary>
    public static void ModelAndData(string model, DataSetKind data, string? dataPath, List<string> failures)
    {
        try
        {
            // The shape only matters for building the network; any valid shape checks the name.
            ModelSpec.Parse(model, new InputShape(1, 28, 28), 10);
        }
        catch (ArgumentException e)
        {
            failures.Add($"--model: {e.Message}");
        }

        if (!Enum.IsDefined(data))
        {
            failures.Add($"--data: '{data}' is not one of {string.Join(", ", Enum.GetNames<DataSetKind>())}.");
        }

        if (dataPath is null && data != DataSetKind.FashionMnist)
        {
            failures.Add($"--data-path: required for {data} (only Fashion-MNIST has a default folder).");
        }
    }
}
