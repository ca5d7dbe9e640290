using System.Xml.Linq;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// C̄_K and L_K against the epoch for every configuration (paper, Fig. 2 bottom row and Fig. 4): two panels, lines
/// coloured by batch size and dashed by learning rate. The paper's relations should be visible: C̄_K clusters by
/// batch size, L_K by learning rate (Sec. 4.2).
/// </summary>
internal static class MeasuresPlot
{
    private const double Top = 92, Height = 410, PanelWidth = 420;
    private static readonly double[] PanelLeft = [95, 625];

    public static string Render(BeaconMap map)
    {
        var styles = new BeaconStyles(map);
        var series = BeaconConfiguration.Group(map.Runs)
            .Select(c => (Configuration: c, Points: Enumerable.Range(1, map.Grid.Epochs).Select(e => (Epoch: e, Measures: c.MeasuresAt(e))).Where(p => p.Measures is not null).ToArray()))
            .Where(s => s.Points.Length > 0)
            .ToArray();

        var svg = new SvgDocument(1240, 580, "C̄_K and L_K over epochs");
        PlotFrame.Title(svg, PanelLeft[0], $"C\u0304_K and L_K over epochs: {map.Grid.Model} on {map.Grid.Data}",
            "each line: one configuration, geometric mean over its finished seeds; learning rate decays ×0.1 at 50% and 75% of the epochs");

        Axis epochs0 = Axis.LinearIntegers(1, Math.Max(2, map.Grid.Epochs), PanelLeft[0], PanelLeft[0] + PanelWidth);
        Axis epochs1 = Axis.LinearIntegers(1, Math.Max(2, map.Grid.Epochs), PanelLeft[1], PanelLeft[1] + PanelWidth);
        Axis condition = Axis.LogSpanning(series.SelectMany(s => s.Points).Select(p => p.Measures!.CumulativeCondition), 0.05, Top + Height, Top);
        Axis energy = Axis.LogSpanning(series.SelectMany(s => s.Points).Select(p => p.Measures!.CumulativeEnergy), 0.05, Top + Height, Top);

        Panel(svg, styles, series, epochs0, condition, m => m.CumulativeCondition, "C\u0304_K  (dimensionless, log scale)", "condition");
        Panel(svg, styles, series, epochs1, energy, m => m.CumulativeEnergy, "L_K  (log scale)", "energy");
        svg.Add(SvgDocument.Text(PanelLeft[0] + PanelWidth / 2, Top - 10, "(a) mean truncated condition number C\u0304_K", new XAttribute("text-anchor", "middle"), new XAttribute("font-weight", "bold")));
        svg.Add(SvgDocument.Text(PanelLeft[1] + PanelWidth / 2, Top - 10, "(b) cumulative Fisher energy L_K", new XAttribute("text-anchor", "middle"), new XAttribute("font-weight", "bold")));

        var legend = new PlotLegend(svg, PanelLeft[1] + PanelWidth + 40, Top);
        legend.Heading("Batch size (colour)");
        foreach (int b in styles.BatchSizes)
        {
            legend.Entry($"B = {b}", (cx, cy) => SvgDocument.Line(cx - 17, cy, cx + 17, cy, styles.Colour(b), 3));
        }

        legend.Heading("Learning rate (dash)");
        foreach (double lr in styles.LearningRates)
        {
            int k = styles.LearningRateIndex(lr);
            legend.Entry($"α = {BeaconStyles.Rate(lr)}", (cx, cy) => SvgDocument.Line(cx - 17, cy, cx + 17, cy, "#333333", 1.8, new XAttribute("stroke-dasharray", Palette.Dash(k))));
        }

        return svg.ToString();
    }

    private static void Panel(
        SvgDocument svg,
        BeaconStyles styles,
        (BeaconConfiguration Configuration, (int Epoch, MeasurePoint? Measures)[] Points)[] series,
        Axis x,
        Axis y,
        Func<MeasurePoint, double> value,
        string yTitle,
        string kind)
    {
        PlotFrame.Grid(svg, x, y);
        XElement g = svg.Group(new XAttribute("class", kind));
        foreach ((BeaconConfiguration c, (int Epoch, MeasurePoint? Measures)[] points) in series)
        {
            var px = points.Select(p => (x.Map(p.Epoch), y.Map(value(p.Measures!)))).ToArray();
            XElement line = SvgDocument.Polyline(px, styles.Colour(c.BatchSize), 1.8,
                new XAttribute("stroke-dasharray", Palette.Dash(styles.LearningRateIndex(c.LearningRate))),
                new XAttribute("class", "series"), new XAttribute("data-configuration", c.Label));
            line.Add(new XElement(SvgDocument.Ns + "title", c.Label));
            g.Add(line);
        }

        PlotFrame.Axes(svg, x, y, "epoch", yTitle);
    }
}
