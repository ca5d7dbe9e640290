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
            if (grid is null)
            {
                grid = spec;
                first = folder;
            }
            else if (JsonSerializer.Serialize(spec) != JsonSerializer.Serialize(grid))
            {
                throw new InvalidDataException($"{specPath}: a different grid from {first}; shards of one grid must be run with the same options.");
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
}
