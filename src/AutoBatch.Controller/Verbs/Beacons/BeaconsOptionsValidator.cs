using AutoBatch.Beacons.Grid;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Output;
using AutoBatch.Engine;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Beacons;

/// <summary>Checks of <see cref="BeaconsOptions"/> run on start, before any child run is started.</summary>
public sealed class BeaconsOptionsValidator : IValidateOptions<BeaconsOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, BeaconsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CommonOptionChecks.ModelAndData(typeof(BeaconsOptions), options.Model, options.Data, options.DataPath, failures);
        try
        {
            GridSpec grid = BeaconsService.ToGrid(options);
            if (options.TrainSubset is { } subset && grid.BatchSizes.Max() > subset)
            {
                failures.Add($"{Flag(nameof(BeaconsOptions.BatchSizes))}: {grid.BatchSizes.Max()} is larger than {Flag(nameof(BeaconsOptions.TrainSubset))} {subset}; every batch size must fit in the training set.");
            }
        }
        catch (UserInputException e)
        {
            failures.Add(e.Message);
        }

        if (options.Shard is not null)
        {
            try
            {
                Shard.Parse(options.Shard, Flag(nameof(BeaconsOptions.Shard)));
            }
            catch (UserInputException e)
            {
                failures.Add(e.Message);
            }
        }

        if (OutputPaths.FolderProblem(options.Output, Flag(nameof(BeaconsOptions.Output))) is { } output)
        {
            failures.Add(output);
        }

        // Checked now: the map is written after the whole grid has trained.
        if (!string.IsNullOrWhiteSpace(options.Map) && OutputPaths.FileProblem(options.Map, Flag(nameof(BeaconsOptions.Map))) is { } map)
        {
            failures.Add(map);
        }

        if (options.Shard is not null && options.ShardCount is not null)
        {
            failures.Add($"{Flag(nameof(BeaconsOptions.Shard))} and {Flag(nameof(BeaconsOptions.ShardCount))}: give one of them, not both.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(BeaconsOptions), property);
}
