using System.Text.Json;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.Grid;

/// <summary>Combines the run folders of a sharded grid into one set of runs.</summary>
public static class ShardMerger
{
    /// <summary>
    /// Reads every folder's grid.json (all must describe the same grid) and finished runs. A run found in two
    /// folders must be identical. Returns the grid and its runs in canonical order, plus the ids still missing.
    /// </summary>
    public static (GridSpec Grid, IReadOnlyList<BeaconRun> Runs, IReadOnlyList<string> Missing) Merge(IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0)
        {
            throw new ArgumentException("--grids: no folders given.");
        }

        GridSpec? grid = null;
        string? first = null;
        var runs = new Dictionary<string, (BeaconRun Run, string Json, string Folder)>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            string specPath = Path.Combine(folder, "grid.json");
            if (!File.Exists(specPath))
            {
                throw new FileNotFoundException($"--grids: {specPath} not found; is {folder} a beacons --output folder?", specPath);
            }

            GridSpec spec = GridStore.ReadSpec(specPath);
            try
            {
                spec.Validate();
                spec.ValidateModel();
            }
            catch (ArgumentException e)
            {
                // GridSpec names the beacons flag a value came from; here it is a field of the file.
                throw new InvalidDataException($"{specPath}: the grid is not valid: {e.Message.TrimEnd('.')}.", e);
            }

            if (grid is null)
            {
                grid = spec;
                first = folder;
            }
            else if (JsonSerializer.Serialize(spec) != JsonSerializer.Serialize(grid))
            {
                throw new InvalidDataException(
                    $"{specPath}: a different grid from {first} ({Differences(spec, grid)}); shards of one grid must be run with the same options.");
            }

            var store = new GridStore(folder, spec);
            foreach (BeaconRun run in store.LoadFinished())
            {
                string json = JsonSerializer.Serialize(run);
                if (runs.TryGetValue(run.Id, out var seen))
                {
                    if (seen.Json != json)
                    {
                        throw new InvalidDataException($"run {run.Id} differs between {seen.Folder} and {folder}; refusing to pick one.");
                    }

                    continue;
                }

                runs[run.Id] = (run, json, folder);
            }
        }

        IReadOnlyList<RunKey> keys = grid!.Runs();
        var ordered = keys.Where(k => runs.ContainsKey(k.Id)).Select(k => runs[k.Id].Run).ToArray();
        var missing = keys.Where(k => !runs.ContainsKey(k.Id)).Select(k => k.Id).ToArray();
        return (grid, ordered, missing);
    }

    // What differs between two grids, field by field ("epochs 3 here, 2 there").
    private static string Differences(GridSpec here, GridSpec there)
    {
        static string Join<T>(IEnumerable<T> values) => string.Join(",", values.Select(v => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", v)));
        var differences = new List<string>();
        void Compare(string field, string mine, string theirs)
        {
            if (mine != theirs)
            {
                differences.Add($"{field} {mine} here, {theirs} there");
            }
        }

        Compare("model", here.Model, there.Model);
        Compare("data", here.Data.ToString(), there.Data.ToString());
        Compare("batch sizes", Join(here.BatchSizes), Join(there.BatchSizes));
        Compare("learning rates", Join(here.LearningRates), Join(there.LearningRates));
        Compare("seeds", Join(here.Seeds), Join(there.Seeds));
        Compare("epochs", Join([here.Epochs]), Join([there.Epochs]));
        Compare("probe interval", Join([here.ProbeInterval]), Join([there.ProbeInterval]));
        Compare("training subset", here.TrainSubset is { } a ? Join([a]) : "all", there.TrainSubset is { } b ? Join([b]) : "all");
        return differences.Count == 0 ? "another setting" : string.Join("; ", differences);
    }
}
