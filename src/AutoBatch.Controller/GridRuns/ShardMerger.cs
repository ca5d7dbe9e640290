using System.Text.Json;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;

namespace AutoBatch.Controller.GridRuns;

/// <summary>Combines the run folders of a sharded grid into one set of runs.</summary>
public static class ShardMerger
{
    /// <summary>
    /// Reads every folder's grid.json (all must describe the same grid) and finished runs. Shards must not overlap: a
    /// folder given twice, two folders that hold the same shard (two jobs given one shard index) or a run found in two
    /// folders is refused. Returns the grid and its usable runs in canonical order, the ids without a usable run, and
    /// one message per run file that exists but cannot be used (<see cref="GridStore.Problem"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The folders are not shards of one grid, or they overlap; the message names them.</exception>
    /// <param name="folders">The grid folders (the shards).</param>
    /// <param name="input">How the caller's user gave the folders, for messages (the merge verb: its flag).</param>
    public static (GridSpec Grid, IReadOnlyList<BeaconRun> Runs, IReadOnlyList<string> Missing, IReadOnlyList<string> Unusable) Merge(
        IReadOnlyList<string> folders, string input = "folders")
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0)
        {
            throw new UserInputException(input, "no folders given.");
        }

        CheckDistinct(folders, input);
        GridSpec? grid = null;
        string? first = null;
        var runs = new Dictionary<string, (BeaconRun Run, string Folder)>(StringComparer.Ordinal);
        var shards = new Dictionary<Shard, string>();
        var unusable = new List<string>();
        foreach (string folder in folders)
        {
            string specPath = Path.Combine(folder, "grid.json");
            if (!File.Exists(specPath))
            {
                throw new UserInputException(input, $"{specPath} not found; is {folder} a beacon grid's folder?");
            }

            GridSpec spec = GridStore.ReadSpec(specPath);
            try
            {
                spec.Validate();
                spec.ValidateModel();
            }
            catch (UserInputException e)
            {
                // GridSpec names the field of the file.
                throw new UserInputException(specPath, $"the grid is not valid: {e.Message.TrimEnd('.')}.", e);
            }

            if (grid is null)
            {
                grid = spec;
                first = folder;
            }
            else if (JsonSerializer.Serialize(spec) != JsonSerializer.Serialize(grid))
            {
                throw new UserInputException(specPath, $"a different grid from {first} ({Differences(spec, grid)}); shards of one grid must be run with the same options.");
            }

            if (GridStore.ReadShard(folder) is { } shard)
            {
                if (shards.TryGetValue(shard, out string? other))
                {
                    throw new UserInputException(input, $"{other} and {folder} both hold {GridStore.Describe(shard)} (two jobs given the same shard index?); "
                        + "the shards overlap, so merge would count their runs twice. Give each shard's folder once, and rerun a missing shard into its own folder.");
                }

                shards[shard] = folder;
            }

            var store = new GridStore(folder, spec);
            IReadOnlyList<BeaconRun> finished = store.LoadFinished(out IReadOnlyList<string> problems);
            foreach (BeaconRun run in finished)
            {
                if (runs.TryGetValue(run.Id, out var seen))
                {
                    throw new UserInputException(input, $"run {run.Id} is in both {seen.Folder} and {folder}: the shards overlap, so merge would count it twice. "
                        + "Give each shard's folder once (a folder and a copy of it are the same shard).");
                }

                runs[run.Id] = (run, folder);
            }

            unusable.AddRange(problems);
        }

        IReadOnlyList<RunKey> keys = grid!.Runs();
        var ordered = keys.Where(k => runs.ContainsKey(k.Id)).Select(k => runs[k.Id].Run).ToArray();
        var missing = keys.Where(k => !runs.ContainsKey(k.Id)).Select(k => k.Id).ToArray();
        return (grid, ordered, missing, unusable);
    }

    // The same folder given twice (by another spelling, a trailing slash, a symbolic link) would merge every run twice.
    private static void CheckDistinct(IReadOnlyList<string> folders, string input)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            string canonical = Canonical(folder);
            if (seen.TryGetValue(canonical, out string? earlier))
            {
                string how = earlier == folder ? $"'{folder}' twice" : $"'{earlier}' and '{folder}'";
                throw new UserInputException(input, $"the same folder is given twice ({how}); give each shard's folder once.");
            }

            seen[canonical] = folder;
        }
    }

    private static string Canonical(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        // Resolve symbolic links from the root down, so that a link anywhere on the path leads to the same name.
        string? parent = Path.GetDirectoryName(full);
        string resolved = parent is null ? full : Path.Combine(Canonical(parent), Path.GetFileName(full));
        var info = new DirectoryInfo(resolved);
        return info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target
            ? Canonical(target.FullName)
            : resolved;
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
        Compare("rank rule", here.RankRule.ToString(), there.RankRule.ToString());
        Compare("both rank rules", here.BothRankRules ? "on" : "off", there.BothRankRules ? "on" : "off");
        Compare("training subset", here.TrainSubset is { } a ? Join([a]) : "all", there.TrainSubset is { } b ? Join([b]) : "all");
        return differences.Count == 0 ? "another setting" : string.Join("; ", differences);
    }
}
