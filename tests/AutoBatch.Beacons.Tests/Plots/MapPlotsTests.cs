using System.Xml.Linq;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Plots;
using AutoBatch.Beacons.Tests.Maps;

namespace AutoBatch.Beacons.Tests.Plots;

public sealed class MapPlotsTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly Lazy<BeaconMap> Shared = new(() =>
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 6, seedCount: 2);
        return BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance);
    });

    private static BeaconMap Map() => Shared.Value;

    private static string[] Configurations(BeaconMap map) =>
        map.Runs.Where(r => !r.Diverged).Select(r => $"s{r.BatchSize}-lr{r.LearningRate}").Distinct().Order(StringComparer.Ordinal).ToArray();

    private static string[] Tagged(XDocument svg, string cssClass) =>
        svg.Descendants().Where(e => (string?)e.Attribute("class") == cssClass).Select(e => (string)e.Attribute("data-configuration")!).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void WriteAllWritesThreeWellFormedSvgFiles()
    {
        using var folder = new TempFolder();
        IReadOnlyList<string> paths = MapPlots.WriteAll(Map(), Path.Combine(folder.Path, "plots"));
        Assert.Multiple(() =>
        {
            Assert.That(paths.Select(Path.GetFileName), Is.EqualTo(new[] { "contour.svg", "trajectories.svg", "measures.svg" }));
            foreach (string path in paths)
            {
                XDocument doc = XDocument.Load(path);
                Assert.That(doc.Root!.Name, Is.EqualTo(Svg + "svg"), path);
                Assert.That(doc.Root.Descendants(Svg + "text").Count(), Is.GreaterThan(10), "titles, ticks and legend");
            }
        });
    }

    [Test]
    public void TheContourHasOneMarkerPerConfiguration()
    {
        BeaconMap map = Map();
        XDocument svg = XDocument.Parse(MapPlots.Contour(map));
        Assert.Multiple(() =>
        {
            Assert.That(Tagged(svg, "beacon"), Is.EqualTo(Configurations(map)));
            Assert.That(svg.Descendants().Count(e => (string?)e.Attribute("class") == "optimum-region"), Is.EqualTo(1));
            Assert.That(svg.Descendants().Count(e => (string?)e.Attribute("class") == "colour-bar"), Is.EqualTo(1));
            Assert.That(svg.Descendants().Count(e => (string?)e.Attribute("class") == "legend"), Is.EqualTo(1));
        });
    }

    [Test]
    public void TheTrajectoryPlotHasOneLineAndOneEndMarkerPerConfiguration()
    {
        BeaconMap map = Map();
        XDocument svg = XDocument.Parse(MapPlots.Trajectories(map));
        Assert.Multiple(() =>
        {
            Assert.That(Tagged(svg, "trajectory"), Is.EqualTo(Configurations(map)));
            Assert.That(Tagged(svg, "beacon"), Is.EqualTo(Configurations(map)));
            XElement line = svg.Descendants().First(e => (string?)e.Attribute("class") == "trajectory");
            Assert.That(((string)line.Attribute("points")!).Split(' '), Has.Length.EqualTo(map.Grid.Epochs));
        });
    }

    [Test]
    public void TheMeasuresPlotHasOneLinePerConfigurationInEachPanel()
    {
        BeaconMap map = Map();
        XDocument svg = XDocument.Parse(MapPlots.Measures(map));
        string[] series = Tagged(svg, "series");
        Assert.That(series, Is.EqualTo(Configurations(map).SelectMany(c => new[] { c, c }).Order(StringComparer.Ordinal)));
    }

    [Test]
    public void OverlaysAreDrawnOnTheContourAndTheTrajectories()
    {
        BeaconMap map = Map();
        PlotOverlay run = new("s32-to-128", [new(20, 0.5), new(30, 1.5), new(60, 2.0)]);
        Assert.Multiple(() =>
        {
            foreach (string text in new[] { MapPlots.Contour(map, [run]), MapPlots.Trajectories(map, [run]) })
            {
                XDocument svg = XDocument.Parse(text);
                Assert.That(svg.Descendants(Svg + "polyline").Count(e => (string?)e.Attribute("class") == "overlay"), Is.EqualTo(1));
                Assert.That(svg.Descendants(Svg + "tspan").Any(t => t.Value == "s32-to-128"), Is.True);
            }
        });
    }

    [Test]
    public void ASingleConfigurationMapStillPlots()
    {
        BeaconRun run = SyntheticBeacons.Run(32, 0.1, 1, 3, e => new MeasurePoint(20 + e, 0.5 * e), 0.1);
        BeaconMap map = BeaconMapBuilder.Build(SyntheticBeacons.Grid([32], [0.1], [1], 3), [run], SyntheticBeacons.Provenance);
        Assert.Multiple(() =>
        {
            Assert.That(Tagged(XDocument.Parse(MapPlots.Contour(map)), "beacon"), Has.Length.EqualTo(1));
            Assert.That(Tagged(XDocument.Parse(MapPlots.Trajectories(map)), "trajectory"), Has.Length.EqualTo(1));
            Assert.That(Tagged(XDocument.Parse(MapPlots.Measures(map)), "series"), Has.Length.EqualTo(2));
        });
    }

    [Test]
    public void CoordinatesAreWrittenWithTheInvariantCulture()
    {
        string svg = MapPlots.Contour(Map());
        Assert.That(svg, Does.Not.Match("x=\"[0-9]+,[0-9]"));
    }
}
