using System.Xml.Linq;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// Beacon trajectories in the (C̄_K, L_K) plane (paper, Fig. 1c and the dotted beacons of Fig. 5): per configuration,
/// the seeds' geometric-mean measures after every epoch joined in order, coloured by batch size and dashed by
/// learning rate, with the optimum region's centroid travelling over the epoch fraction.
/// </summary>
internal static class TrajectoryPlot
{
    private const double Left = 100, Top = 70, Width = 640, Height = 600;

    public static string Render(BeaconMap map, IReadOnlyList<PlotOverlay> overlays)
    {
        var styles = new BeaconStyles(map);
        var trajectories = BeaconConfiguration.Group(map.Runs)
            .Select(c => (Configuration: c, Points: Enumerable.Range(1, map.Grid.Epochs).Select(c.MeasuresAt).OfType<MeasurePoint>().ToArray()))
            .Where(t => t.Points.Length > 0)
            .ToArray();
        MeasurePoint[] all = trajectories.SelectMany(t => t.Points)
            .Concat(overlays.SelectMany(o => o.Points).Where(p => p.IsUsable))
            .Concat(map.Derived.Trajectory.Select(s => s.Region.Centroid))
            .ToArray();
        Axis x = Axis.LogSpanning(all.Select(p => p.CumulativeCondition), 0.05, Left, Left + Width);
        Axis y = Axis.LogSpanning(all.Select(p => p.CumulativeEnergy), 0.05, Top + Height, Top);

        var svg = new SvgDocument(1060, 780, "Beacon trajectories in the C̄_K, L_K plane");
        PlotFrame.Title(svg, Left, $"Beacon trajectories over epochs 1–{map.Grid.Epochs}: {map.Grid.Model} on {map.Grid.Data}",
            "each line: one configuration (geometric mean over seeds), from ○ at epoch 1 to the marker at the last epoch");
        PlotFrame.Grid(svg, x, y);

        XElement lines = svg.Group(new XAttribute("class", "trajectories"));
        foreach ((BeaconConfiguration c, MeasurePoint[] points) in trajectories)
        {
            string colour = styles.Colour(c.BatchSize);
            int k = styles.LearningRateIndex(c.LearningRate);
            var px = points.Select(p => (x.Map(p.CumulativeCondition), y.Map(p.CumulativeEnergy))).ToArray();
            XElement line = SvgDocument.Polyline(px, colour, 1.8, new XAttribute("stroke-dasharray", Palette.Dash(k)),
                new XAttribute("class", "trajectory"), new XAttribute("data-configuration", c.Label));
            line.Add(new XElement(SvgDocument.Ns + "title", c.Label));
            lines.Add(line);
            lines.Add(new XElement(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(px[0].Item1)), new XAttribute("cy", SvgDocument.F(px[0].Item2)),
                new XAttribute("r", "2.8"), new XAttribute("fill", "#ffffff"), new XAttribute("stroke", colour), new XAttribute("stroke-width", "1.3")));
            lines.Add(Palette.Marker(k, px[^1].Item1, px[^1].Item2, 5, colour, "#000000", new XAttribute("class", "beacon"), new XAttribute("data-configuration", c.Label)));
        }

        Centroids(svg, map.Derived.Trajectory, x, y);
        foreach (PlotOverlay o in overlays)
        {
            var px = o.Points.Where(p => p.IsUsable).Select(p => (x.Map(p.CumulativeCondition), y.Map(p.CumulativeEnergy))).ToArray();
            if (px.Length > 0)
            {
                svg.Add(SvgDocument.Polyline(px, "#000000", 2.4, new XAttribute("class", "overlay")));
                foreach ((double cx, double cy) in px)
                {
                    svg.Add(new XElement(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(cx)), new XAttribute("cy", SvgDocument.F(cy)), new XAttribute("r", "3"), new XAttribute("fill", "#000000")));
                }

                svg.Add(PlotFrame.EndLabel(px[^1].Item1, px[^1].Item2, Left + Width, o.Label));
            }
        }

        PlotFrame.Axes(svg, x, y, "C\u0304_K  (mean truncated condition number, dimensionless, log scale)", "L_K  (learning-rate-weighted cumulative Fisher energy, log scale)");

        var legend = new PlotLegend(svg, Left + Width + 40, Top);
        legend.Heading("Batch size (colour)");
        foreach (int b in styles.BatchSizes)
        {
            legend.Entry($"B = {b}", (cx, cy) => SvgDocument.Line(cx - 17, cy, cx + 17, cy, styles.Colour(b), 3));
        }

        legend.Heading("Learning rate (dash, marker)");
        foreach (double lr in styles.LearningRates)
        {
            int k = styles.LearningRateIndex(lr);
            legend.Entry($"α = {BeaconStyles.Rate(lr)}", (cx, cy) => new XElement(SvgDocument.Ns + "g",
                SvgDocument.Line(cx - 17, cy, cx + 17, cy, "#333333", 1.8, new XAttribute("stroke-dasharray", Palette.Dash(k))),
                Palette.Marker(k, cx, cy, 5, "#bbbbbb", "#000000")));
        }

        legend.Heading("Optimum region");
        legend.Entry("centroid at % of epochs", (cx, cy) => new XElement(SvgDocument.Ns + "g",
            SvgDocument.Line(cx - 17, cy, cx + 17, cy, "#000000", 2.5),
            Palette.Marker(1, cx, cy, 4, "#ffffff", "#000000")));
        legend.Note("measures at that fraction, final errors");
        return svg.ToString();
    }

    private static void Centroids(SvgDocument svg, IReadOnlyList<RegionSnapshot> snapshots, Axis x, Axis y)
    {
        if (snapshots.Count == 0)
        {
            return;
        }

        XElement g = svg.Group(new XAttribute("class", "region-centroids"));
        var px = snapshots.Select(s => (x.Map(s.Region.Centroid.CumulativeCondition), y.Map(s.Region.Centroid.CumulativeEnergy))).ToArray();
        g.Add(SvgDocument.Polyline(px, "#ffffff", 5.5));
        g.Add(SvgDocument.Polyline(px, "#000000", 2.5));
        // Labels would pile up where the centroid barely moves: the first and last are always labelled, the others
        // only when clear of the labels already placed.
        var labelled = new List<(double X, double Y)>();
        foreach (int i in new[] { 0, px.Length - 1 }.Concat(Enumerable.Range(1, Math.Max(0, px.Length - 2))).Distinct())
        {
            g.Add(Palette.Marker(1, px[i].Item1, px[i].Item2, 4, "#ffffff", "#000000"));
            if (labelled.All(l => Math.Abs(l.X - px[i].Item1) > 40 || Math.Abs(l.Y - px[i].Item2) > 15))
            {
                g.Add(SvgDocument.Text(px[i].Item1 + 8, px[i].Item2 - 6, $"{100 * snapshots[i].Fraction:0}%", new XAttribute("font-size", "11.5"), new XAttribute("font-weight", "bold"), PlotFrame.Halo()));
                labelled.Add((px[i].Item1, px[i].Item2));
            }
        }
    }
}
