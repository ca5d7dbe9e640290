using System.Text;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// SVG plots of a beacon map, written without a plotting package: the error contour (paper, Fig. 1b/3), the beacon
/// trajectories in the (C̄_K, L_K) plane (Fig. 1c/5) and C̄_K and L_K against epochs (Fig. 2/4).
/// </summary>
public static class MapPlots
{
    /// <summary>File name of <see cref="Contour"/> in <see cref="WriteAll"/>.</summary>
    public const string ContourFile = "contour.svg";

    /// <summary>File name of <see cref="Trajectories"/> in <see cref="WriteAll"/>.</summary>
    public const string TrajectoriesFile = "trajectories.svg";

    /// <summary>File name of <see cref="Measures"/> in <see cref="WriteAll"/>.</summary>
    public const string MeasuresFile = "measures.svg";

    /// <summary>
    /// The error contour: the map's interpolated final test error over log C̄_K x log L_K with the optimum region
    /// outlined, the final beacons and the five best labelled; <paramref name="overlays"/> (e.g. controlled runs)
    /// are drawn on top.
    /// </summary>
    public static string Contour(BeaconMap map, IReadOnlyList<PlotOverlay>? overlays = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return ContourPlot.Render(map, overlays ?? []);
    }

    /// <summary>Every configuration's path through the (C̄_K, L_K) plane over the epochs, with the region's centroid.</summary>
    public static string Trajectories(BeaconMap map, IReadOnlyList<PlotOverlay>? overlays = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return TrajectoryPlot.Render(map, overlays ?? []);
    }

    /// <summary>C̄_K and L_K against the epoch, one line per configuration.</summary>
    public static string Measures(BeaconMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return MeasuresPlot.Render(map);
    }

    /// <summary>
    /// Writes contour.svg, trajectories.svg and measures.svg into <paramref name="folder"/> (created if needed) and
    /// returns their paths.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(BeaconMap map, string folder)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var files = new[]
        {
            (Name: ContourFile, Svg: Contour(map)),
            (Name: TrajectoriesFile, Svg: Trajectories(map)),
            (Name: MeasuresFile, Svg: Measures(map)),
        };
        var paths = new List<string>();
        foreach ((string name, string svg) in files)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, svg, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            paths.Add(path);
        }

        return paths;
    }
}
