using System.Text.Json;
using System.Text.Json.Serialization;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.Grid;

/// <summary>Builds a beacon map from finished runs, with provenance, and writes it.</summary>
public static class MapWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="path"/> atomically.</summary>
    public static void Write(GridSpec grid, IReadOnlyList<BeaconRun> runs, string path, string command, int threadsPerRun, int parallelRuns)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var provenance = MachineInfo.Provenance(command, threadsPerRun, parallelRuns, runs.Sum(r => r.WallSeconds));
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { schemaVersion = 1, kind = "autobatch-beacon-map", provenance, grid, runs }, Json));
    }
}
