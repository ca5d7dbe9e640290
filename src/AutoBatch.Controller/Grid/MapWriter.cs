using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Plots;

namespace AutoBatch.Controller.Grid;

/// <summary>Builds a beacon map from finished runs, with provenance, and writes it with its SVG plots.</summary>
public static class MapWriter
{
    /// <summary>
    /// Writes the map to <paramref name="path"/> (atomically) and contour.svg, trajectories.svg and measures.svg into
    /// a folder named after the map (<c>&lt;map&gt;.plots/</c>). Returns the map.
    /// </summary>
    public static BeaconMap Write(GridSpec grid, IReadOnlyList<BeaconRun> runs, string path, string command, int threadsPerRun, int parallelRuns)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Provenance provenance = MachineInfo.Provenance(command, threadsPerRun, parallelRuns, runs.Sum(r => r.WallSeconds));
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, provenance);
        BeaconMapFile.Write(path, map);
        MapPlots.WriteAll(map, PlotFolder(path));
        return map;
    }

    /// <summary>Folder of a map's plots: <c>fashion-mnist-mlp.json</c> → <c>fashion-mnist-mlp.plots/</c>.</summary>
    public static string PlotFolder(string mapPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(mapPath))!, Path.GetFileNameWithoutExtension(mapPath) + ".plots");
}
