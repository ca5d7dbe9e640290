using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// A grid's folder: <c>grid.json</c> (the spec, fixed at the first start), <c>runs/&lt;id&gt;.json</c> (one file per
/// finished run, written atomically the moment the run ends) and <c>work/&lt;id&gt;/</c> (scratch of runs in
/// progress, discarded on restart). A run is finished if and only if its file exists, so a grid killed at any
/// moment resumes without losing or repeating a finished run.
/// </summary>
public sealed class GridStore
{
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
                throw new ArgumentException(
                    $"{specPath}: this folder holds a different grid ({existing.Model} on {existing.Data}, {existing.Runs().Count} runs, {existing.Epochs} epochs); use another --output or the same grid options.");
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

    /// <summary>Scratch folder for a run in progress (emptied first).</summary>
    public string PrepareWorkFolder(RunKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string work = Path.Combine(Folder, "work", key.Id);
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        Directory.CreateDirectory(work);
        return work;
    }

    /// <summary>Whether the run has finished (its file exists).</summary>
    public bool IsFinished(RunKey key) => File.Exists(RunPath(key.Id));

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
    public IReadOnlyList<BeaconRun> LoadFinished()
    {
        var runs = new List<BeaconRun>();
        foreach (RunKey key in Grid.Runs())
        {
            string path = RunPath(key.Id);
            if (File.Exists(path))
            {
                runs.Add(ReadRun(path, key, Grid));
            }
        }

        return runs;
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
                throw new InvalidDataException($"{path}: {field} is {found}, expected {expected} (the run {key.Id} of the grid).");
            }
        }

        BeaconMapFile.CheckRunValues(path, string.Empty, run);
        if (run.Epochs.Count > grid.Epochs || run.Epochs.Where((e, i) => e.Epoch != i + 1).Any())
        {
            throw new InvalidDataException($"{path}: expected epoch records 1, 2, ... up to the grid's {grid.Epochs}, found [{string.Join(", ", run.Epochs.Select(e => e.Epoch))}].");
        }

        return run;
    }

    private static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty JSON document.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid {typeof(T).Name} file: {e.Message}", e);
        }
    }

    private static string Serialize(GridSpec grid) => JsonSerializer.Serialize(grid, Json);

    private string RunPath(string id) => Path.Combine(RunsFolder, id + ".json");
}
