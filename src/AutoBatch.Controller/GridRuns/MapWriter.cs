using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Plots;
using AutoBatch.Engine;

namespace AutoBatch.Controller.GridRuns;

/// <summary>Builds a beacon map from finished runs, with provenance, and writes it with its SVG plots.</summary>
public static class MapWriter
{
    /// <summary>
    /// Writes the map to <paramref name="path"/> (atomically) and contour.svg, trajectories.svg and measures.svg into
    /// a folder named after the map (<c>&lt;map&gt;.plots/</c>), holding that folder's lock (<see cref="FolderLock"/>) while
    /// it writes both, so that two processes never write one map; <paramref name="option"/> names the map's flag in the
    /// refusal. Returns the map.
    /// </summary>
    public static BeaconMap Write(GridSpec grid, IReadOnlyList<BeaconRun> runs, string path, string option, string command, int threadsPerRun, int parallelRuns)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Provenance provenance = MachineInfo.Provenance(command, threadsPerRun, parallelRuns, runs.Sum(r => r.WallSeconds));
        BeaconMap map = BeaconMapBuilder.Build(grid, runs, provenance);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw UserInputException.Naming(full, $"The beacon map cannot be written to {full}: expected a file path, found a directory.");
        }

        FolderLock owner;
        try
        {
            owner = FolderLock.Acquire(PlotFolder(path), option);
        }
        catch (UserInputException e) when (e is not FolderInUseException && e.InnerException is { } io)
        {
            // A file where a folder of the path should be, or a read-only disk.
            throw UserInputException.Naming(full, $"The beacon map cannot be written to {full}: {io.Message}", e);
        }

        using (owner)
        {
            BeaconMapFile.Write(path, map);
            MapPlots.WriteAll(map, PlotFolder(path));
        }

        return map;
    }

    /// <summary>Folder of a map's plots: <c>fashion-mnist-mlp.json</c> → <c>fashion-mnist-mlp.plots/</c>.</summary>
    public static string PlotFolder(string mapPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(mapPath))!, Path.GetFileNameWithoutExtension(mapPath) + ".plots");
}
