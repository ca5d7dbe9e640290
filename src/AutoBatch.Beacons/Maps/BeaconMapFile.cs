using System.Text.Json;
using System.Text.Json.Nodes;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Maps;

/// <summary>Reads and writes beacon maps as versioned JSON (docs/DESIGN.md, 'Beacon maps').</summary>
public static class BeaconMapFile
{
    /// <summary>The map as the JSON text <see cref="Write"/> stores.</summary>
    public static string ToJson(BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return JsonSerializer.Serialize(map, MapJson.Options);
    }

    /// <summary>
    /// Writes <paramref name="map"/> to <paramref name="path"/> atomically: the JSON goes to a temporary file in the
    /// same folder, is flushed to disk, and then replaces <paramref name="path"/> in one rename, so a crash leaves
    /// either the old file or the new one, never half of one.
    /// </summary>
    /// <exception cref="ArgumentException">The map holds a NaN or infinite number (JSON has none): a bug.</exception>
    /// <exception cref="UserInputException"><paramref name="path"/> is a directory or its folder cannot be made.</exception>
    public static void Write(string path, BeaconMap map)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(map);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw UserInputException.Naming(full, $"The beacon map cannot be written to {full}: expected a file path, found a directory.");
        }

        string folder = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException ex)
        {
            // A file where a folder of the path should be, or a read-only disk: bad input, not a crash.
            throw UserInputException.Naming(full, $"The beacon map cannot be written to {full}: {ex.Message}", ex);
        }

        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, map, MapJson.Options);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (ArgumentException ex)
        {
            // System.Text.Json refuses NaN and infinity; nothing is written and the old file stays.
            File.Delete(temp);
            throw new ArgumentException($"The beacon map cannot be written to {full}: {ex.Message}", ex);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Reads and validates a map. When <paramref name="expectedModel"/> or <paramref name="expectedData"/> is given,
    /// a map of another model or data set is refused.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The file is not JSON, not a beacon map, from a newer schema, for another model or data set, incomplete, or
    /// holds a non-finite number, an invalid grid, a run without epochs or a negative or impossible value (an error
    /// rate outside [0, 1], a batch size below 1); the message names the file and the field.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="expectedModel"/> is not a valid model name.</exception>
    public static BeaconMap Read(string path, string? expectedModel = null, DataSetKind? expectedData = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw Invalid(path, "expected a beacon map file, found a directory");
        }

        byte[] bytes = File.ReadAllBytes(path);

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw Invalid(path, $"not a beacon map: the file is not valid JSON ({ex.Message})", ex);
        }

        if (root is not JsonObject obj)
        {
            throw Invalid(path, "not a beacon map: expected a JSON object");
        }

        // Kind and version first: a newer schema may have changed any other field, and "missing field" would then
        // hide the real cause.
        string? kind = obj["kind"] is JsonValue k && k.TryGetValue(out string? s) ? s : null;
        if (kind != BeaconMap.KindName)
        {
            throw Invalid(path, kind is null
                ? $"not a beacon map: no \"kind\": \"{BeaconMap.KindName}\" field"
                : $"not a beacon map: kind is \"{kind}\", expected \"{BeaconMap.KindName}\"");
        }

        if (obj["schemaVersion"] is not JsonValue v || !v.TryGetValue(out int version))
        {
            throw Invalid(path, "no integer \"schemaVersion\" field");
        }

        if (version > BeaconMap.CurrentSchemaVersion)
        {
            throw Invalid(path, $"written by a newer AutoBatch: schema {version}, this build reads ≤ {BeaconMap.CurrentSchemaVersion}");
        }

        if (version < 1)
        {
            throw Invalid(path, $"schema version {version} is not valid (versions start at 1)");
        }

        CheckFinite(path, obj, "$");

        BeaconMap? map;
        try
        {
            map = obj.Deserialize<BeaconMap>(MapJson.Options);
        }
        catch (JsonException ex)
        {
            throw Invalid(path, $"incomplete or malformed beacon map: {ex.Message}", ex);
        }

        Validate(path, map!, expectedModel, expectedData);
        return map!;
    }

    private static void Validate(string path, BeaconMap map, string? expectedModel, DataSetKind? expectedData)
    {
        if (map.Grid is null || map.Runs is null || map.Derived is null || map.Provenance is null)
        {
            throw Invalid(path, "incomplete beacon map: grid, runs, derived and provenance are all required");
        }

        try
        {
            map.Grid.Validate();
        }
        catch (UserInputException ex)
        {
            // GridSpec names the grid's field, as the file spells it.
            throw Invalid(path, $"grid is not valid: {ex.Message.TrimEnd('.')}", ex);
        }

        if (expectedModel is not null || expectedData is not null)
        {
            MapCompatibility.EnsureCompatible(map, expectedModel ?? map.Grid.Model, expectedData ?? map.Grid.Data, path);
        }

        if (map.Runs.Count == 0)
        {
            throw Invalid(path, "the map has no runs");
        }

        for (int i = 0; i < map.Runs.Count; i++)
        {
            BeaconRun? run = map.Runs[i];
            if (run is null)
            {
                throw Invalid(path, $"runs[{i}] is null");
            }

            if (run.Epochs is null || run.Epochs.Count == 0 || run.Epochs.Any(e => e is null))
            {
                throw Invalid(path, $"run {run.Id} has no epochs (or a null epoch record)");
            }

            CheckRun(path, i, run);
        }

        CheckRegion(path, "derived.region", map.Derived.Region);
        for (int i = 0; i < map.Derived.Trajectory.Count; i++)
        {
            CheckRegion(path, $"derived.trajectory[{i}].region", map.Derived.Trajectory[i].Region);
        }
    }

    // Negative sizes, rates, errors or measures cannot come from a training run; they mean the file was edited or
    // corrupted, and would silently bend the surface and the optimum region.
    private static void CheckRun(string path, int index, BeaconRun run) => CheckRunValues(path, $"runs[{index}] ({run.Id}).", run);

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the file and field when a run holds a value no training run can
    /// produce. <paramref name="where"/> prefixes field names: <c>runs[3] (id).</c> in a map, empty in a grid's run file.
    /// </summary>
    internal static void CheckRunValues(string path, string where, BeaconRun run)
    {
        if (run.BatchSize < 1)
        {
            throw Invalid(path, $"{where}batchSize is {run.BatchSize}, expected >= 1");
        }

        if (!(run.LearningRate > 0))
        {
            throw Invalid(path, $"{where}learningRate is {run.LearningRate}, expected > 0");
        }

        if (run.Epochs is null || run.Epochs.Any(e => e is null))
        {
            throw Invalid(path, $"{where}epochs is missing or holds a null record");
        }

        for (int e = 0; e < run.Epochs.Count; e++)
        {
            EpochRecord r = run.Epochs[e];
            string at = $"{where}epochs[{e}]";
            if (r.Epoch < 1)
            {
                throw Invalid(path, $"{at}.epoch is {r.Epoch}, expected >= 1");
            }

            foreach ((string name, double value) in new[] { ("trainError", r.TrainError), ("testError", r.TestError) })
            {
                if (value is < 0 or > 1)
                {
                    throw Invalid(path, $"{at}.{name} is {value}, expected an error rate in [0, 1]");
                }
            }

            foreach ((string name, double value) in new[]
            {
                ("trainLoss", r.TrainLoss), ("testLoss", r.TestLoss), ("conditionMean", r.CumulativeCondition), ("energy", r.CumulativeEnergy),
                ("epochCondition", r.EpochCondition), ("epochEnergy", r.EpochEnergy), ("meanRank", r.MeanRank),
            })
            {
                if (value < 0)
                {
                    throw Invalid(path, $"{at}.{name} is {value}, expected >= 0");
                }
            }
        }
    }

    // The region's distance queries index the grid directly; a grid that is not Size x Size would fail later,
    // far from the file that caused it.
    private static void CheckRegion(string path, string where, OptimumRegion region)
    {
        SurfaceGrid grid = region.Surface;
        if (grid.Size < 2 || grid.Values.Count != grid.Size || grid.Values.Any(row => row is null || row.Count != grid.Size))
        {
            throw Invalid(path, $"{where}.surface: values must be a {grid.Size} x {grid.Size} grid (size ≥ 2)");
        }
    }

    // System.Text.Json rejects NaN and Infinity literals, but a number such as 1e400 parses to infinity.
    private static void CheckFinite(string path, JsonNode? node, string where)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> p in o)
                {
                    CheckFinite(path, p.Value, $"{where}.{p.Key}");
                }

                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    CheckFinite(path, a[i], $"{where}[{i}]");
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                if (!value.TryGetValue(out double d) || !double.IsFinite(d))
                {
                    throw Invalid(path, $"{where} is not a finite number");
                }

                break;
        }
    }

    private static UserInputException Invalid(string path, string message, Exception? inner = null) =>
        new(path, message + ".", inner);
}
