using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// A grid's folder: <c>grid.json</c> (the spec, fixed at the first start), <c>runs/&lt;id&gt;.json</c> (one file per
/// finished run, written atomically the moment the run ends) and <c>work/&lt;id&gt;/</c> (the output folder of a run in
/// progress, with its checkpoints: a restarted grid continues the run from there). A run is finished if and only if its
/// file exists, so a grid killed at any moment resumes without losing or repeating a finished run, and loses at most
/// the epoch its unfinished runs were in.
/// </summary>
public sealed class GridStore
{
    // How long a new runner waits for a killed runner's orphaned child to leave a work folder.
    private static readonly TimeSpan OrphanWait = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Opens (creating if needed) the store in <paramref name="folder"/> for <paramref name="grid"/>.</summary>
    public GridStore(string folder, GridSpec grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        Folder = folder;
        Grid = grid;
        Directory.CreateDirectory(RunsFolder);
        string specPath = Path.Combine(folder, "grid.json");
        if (File.Exists(specPath))
        {
            GridSpec existing = ReadSpec(specPath);
            if (Serialize(existing) != Serialize(grid))
            {
                throw new UserInputException(specPath, $"this folder holds a different grid ({existing.Model} on {existing.Data}, {existing.Runs().Count} runs, {existing.Epochs} epochs); use another folder for this grid, or the same grid settings to resume that one.");
            }
        }
        else
        {
            AtomicFile.WriteAllText(specPath, Serialize(grid));
        }
    }

    /// <summary>The grid folder.</summary>
    public string Folder { get; }

    /// <summary>The grid.</summary>
    public GridSpec Grid { get; }

    private string RunsFolder => Path.Combine(Folder, "runs");

    /// <summary>
    /// The work folder of a run, as an earlier execution left it (the run continues from its checkpoint, if any). A child
    /// of an earlier runner that was killed may still be finishing in it (children stop within seconds of their parent's
    /// death): its lock is waited for, so that no two processes train in one folder.
    /// </summary>
    public string OpenWorkFolder(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string work = WorkPath(key);
        using (FolderLock.Acquire(work, $"the work folder of run {key.Id}", OrphanWait))
        {
            return work;
        }
    }

    /// <summary>Whether the work folder of a run holds anything an earlier execution left (its lock file aside).</summary>
    public bool HasWork(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string work = WorkPath(key);
        return Directory.Exists(work) && WorkEntries(work).Any();
    }

    /// <summary>
    /// Empties the work folder of a run, so that it starts afresh, waiting like <see cref="OpenWorkFolder"/> for a live
    /// holder. The lock file itself stays, so that the next child locks the same file.
    /// </summary>
    public string EmptyWorkFolder(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string work = WorkPath(key);
        using (FolderLock.Acquire(work, $"the work folder of run {key.Id}", OrphanWait))
        {
            foreach (string entry in WorkEntries(work).ToArray())
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }

        return work;
    }

    /// <summary>Whether the run has finished: its file exists and can be used (<see cref="Problem"/> is null).</summary>
    public bool IsFinished(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return File.Exists(RunPath(key.Id)) && Problem(key) is null;
    }

    /// <summary>
    /// Why the run file of <paramref name="key"/> cannot be used, naming the file: it cannot be read, is not a run file
    /// (empty, cut short, edited), is not this key's run, or holds no epochs or fewer than the grid's without having
    /// diverged. Null when the file is usable or absent. A grid redoes such a run; merge names the file.
    /// </summary>
    public string? Problem(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string path = RunPath(key.Id);
        return File.Exists(path) ? Usable(path, key, Grid, out _) : null;
    }

    /// <summary>Persists a finished run atomically and removes its scratch folder.</summary>
    public void Save(BeaconRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        AtomicFile.WriteAllText(RunPath(run.Id), JsonSerializer.Serialize(run, Json));
        string work = Path.Combine(Folder, "work", run.Id);
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>All finished runs of this grid, in canonical order.</summary>
    /// <exception cref="UserInputException">A run file cannot be used; the message names it and why.</exception>
    public IReadOnlyList<BeaconRun> LoadFinished()
    {
        IReadOnlyList<BeaconRun> runs = LoadFinished(out IReadOnlyList<string> unusable);
        return unusable.Count == 0 ? runs : throw UserInputException.Naming(Folder, unusable[0]);
    }

    /// <summary>
    /// The runs of this grid with a usable file, in canonical order; <paramref name="unusable"/> gets one message per
    /// file that exists but cannot be used (<see cref="Problem"/>).
    /// </summary>
    public IReadOnlyList<BeaconRun> LoadFinished(out IReadOnlyList<string> unusable)
    {
        var runs = new List<BeaconRun>();
        var problems = new List<string>();
        foreach (RunKey key in Grid.Runs())
        {
            string path = RunPath(key.Id);
            if (!File.Exists(path))
            {
                continue;
            }

            if (Usable(path, key, Grid, out BeaconRun? run) is { } problem)
            {
                problems.Add(problem);
            }
            else
            {
                runs.Add(run!);
            }
        }

        unusable = problems;
        return runs;
    }

    /// <summary>
    /// Records in the folder which shard of the grid it holds (<c>shard.json</c>), so that merge can tell two folders of
    /// the same shard apart from two shards; a folder that holds another shard is refused.
    /// </summary>
    /// <exception cref="UserInputException">The folder holds another shard of the grid; the message names both, and the
    /// settings as <paramref name="nameOf"/> names <see cref="Shard.ShardSetting"/> and <see cref="OutputSetting"/>.</exception>
    public void ClaimShard(Shard shard, Func<string, string>? nameOf = null)
    {
        ArgumentNullException.ThrowIfNull(shard);
        nameOf ??= static setting => setting;
        string path = ShardPath(Folder);
        if (ReadShard(Folder) is { } held)
        {
            if (held != shard)
            {
                throw new UserInputException(nameOf(Shard.ShardSetting), $"{Folder} holds {Describe(held)} ({path}), not {Describe(shard)}; give each shard its own "
                    + $"{nameOf(OutputSetting)}, or the shard this folder was started with.");
            }

            return;
        }

        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(shard, Json));
    }

    /// <summary>The shard a grid folder holds (<see cref="ClaimShard"/>), or null when it does not say (a folder of an older version).</summary>
    /// <exception cref="InvalidDataException">shard.json is not a shard; the message names it.</exception>
    public static Shard? ReadShard(string folder)
    {
        string path = ShardPath(folder);
        if (!File.Exists(path))
        {
            return null;
        }

        Shard shard = Read<Shard>(path);
        return shard.Count >= 1 && shard.Index >= 0 && shard.Index < shard.Count
            ? shard
            : throw new UserInputException(path, $"expected a shard i of n with 0 <= i < n, found {shard.Index} of {shard.Count}.");
    }

    /// <summary>The name of the grid's folder setting in messages, unless the caller names it otherwise.</summary>
    public const string OutputSetting = "Output";

    /// <summary>"shard 1/4 of the grid", or "the whole grid (not sharded)" for 0/1.</summary>
    public static string Describe(Shard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return shard == Shard.All ? "the whole grid (not sharded)" : $"shard {shard} of the grid";
    }

    /// <summary>Reads a grid spec file, with errors naming the file.</summary>
    public static GridSpec ReadSpec(string path) => Read<GridSpec>(path);

    /// <summary>Reads a finished run file, with errors naming the file.</summary>
    public static BeaconRun ReadRun(string path) => Read<BeaconRun>(path);

    /// <summary>
    /// Reads the finished run of <paramref name="key"/> in <paramref name="grid"/> and checks it: its configuration is
    /// the key's (an edited batch size would add a configuration the grid never ran to the map), it has at most the
    /// grid's epochs, numbered 1, 2, ..., and no value a training run cannot produce (the checks a map gets when it is
    /// read, so that merge never writes a map the product then refuses).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not belong to the key; the message names it and the field.</exception>
    public static BeaconRun ReadRun(string path, RunKey key, GridSpec grid)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(grid);
        BeaconRun run = Read<BeaconRun>(path);
        foreach ((string field, string found, string expected) in new[]
        {
            ("id", run.Id, key.Id),
            ("batchSize", run.BatchSize.ToString(CultureInfo.InvariantCulture), key.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("learningRate", run.LearningRate.ToString("R", CultureInfo.InvariantCulture), key.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
            ("seed", run.Seed.ToString(CultureInfo.InvariantCulture), key.Seed.ToString(CultureInfo.InvariantCulture)),
        })
        {
            if (found != expected)
            {
                throw new UserInputException(path, $"{field} is {found}, expected {expected} (the run {key.Id} of the grid).");
            }
        }

        BeaconMapFile.CheckRunValues(path, string.Empty, run);
        if (run.Epochs.Count > grid.Epochs || run.Epochs.Where((e, i) => e.Epoch != i + 1).Any())
        {
            throw new UserInputException(path, $"expected epoch records 1, 2, ... up to the grid's {grid.Epochs}, found [{string.Join(", ", run.Epochs.Select(e => e.Epoch))}].");
        }

        return run;
    }

    // Null when the file is usable; otherwise why not, naming the file.
    private static string? Usable(string path, RunKey key, GridSpec grid, out BeaconRun? run)
    {
        run = null;
        BeaconRun read;
        try
        {
            read = ReadRun(path, key, grid);
        }
        catch (UserInputException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path}: cannot be read: {e.Message}";
        }

        if (read.Epochs.Count == 0)
        {
            return $"{path}: the run file holds no epochs.";
        }

        if (read.Epochs.Count < grid.Epochs && !read.Diverged)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: the run file holds {read.Epochs.Count} of the grid's {grid.Epochs} epochs and the run did not diverge.");
        }

        run = read;
        return null;
    }

    private static IEnumerable<string> WorkEntries(string work) =>
        Directory.EnumerateFileSystemEntries(work).Where(e => Path.GetFileName(e) is not (FolderLock.LockName or FolderLock.OwnerName));

    private static string ShardPath(string folder) => Path.Combine(folder, "shard.json");

    private static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                ?? throw new UserInputException(path, $"empty JSON document.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new UserInputException(path, $"not a valid {typeof(T).Name} file: {e.Message}", e);
        }
    }

    private static string Serialize(GridSpec grid) => JsonSerializer.Serialize(grid, Json);

    private string WorkPath(RunKey key) => Path.Combine(Folder, "work", key.Id);

    private string RunPath(string id) => Path.Combine(RunsFolder, id + ".json");
}
