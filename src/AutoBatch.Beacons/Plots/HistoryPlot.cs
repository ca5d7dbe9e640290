using System.Globalization;
using System.Xml.Linq;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// The travelling history (paper, Fig. 5): schedules' (C̄_K, L_K) at 5, 20, 40, 60, 80 and 100% of the epochs, joined
/// in order and marked per fraction, over the dotted grey beacons of the map at the same fractions.
/// </summary>
internal static class HistoryPlot
{
    private const double Left = 100, Top = 70, Width = 640, Height = 600;
    private const string BeaconGrey = "#a0a0a0";

    public static string Render(BeaconMap? map, IReadOnlyList<HistorySeries> series, string title)
    {
        double[] fractions = series.SelectMany(s => s.Fractions).Distinct().Order().ToArray();
        double[] beaconFractions = fractions.Length == 0 ? [1.0] : fractions;
        (BeaconConfiguration Configuration, MeasurePoint[] Points)[] beacons = map is null
            ? []
            : BeaconConfiguration.Group(map.Runs)
                .Select(c => (Configuration: c, Points: beaconFractions
                    .Select(f => c.MeasuresAt(EpochFractions.ToEpoch(f, map.Grid.Epochs)))
                    .OfType<MeasurePoint>().Where(p => p.IsUsable).ToArray()))
                .Where(b => b.Points.Length > 0)
                .ToArray();
        var lines = series
            .Select((s, i) => (Series: s, Colour: ComparisonPlots.SeriesColour(i), Points: s.Points.Zip(s.Fractions).Where(p => p.First.IsUsable).ToArray()))
            .ToArray();
        MeasurePoint[] all = beacons.SelectMany(b => b.Points).Concat(lines.SelectMany(l => l.Points.Select(p => p.First))).ToArray();
        Axis x = Axis.LogSpanning(all.Select(p => p.CumulativeCondition), 0.05, Left, Left + Width);
        Axis y = Axis.LogSpanning(all.Select(p => p.CumulativeEnergy), 0.05, Top + Height, Top);

        var svg = new SvgDocument(1060, 780, "Travelling history of the schedules in the C̄_K, L_K plane");
        PlotFrame.Title(svg, Left, title,
            "each schedule: geometric mean over its seeds at the marked fractions of the epochs; grey dotted: the map's beacons at the same fractions");
        PlotFrame.Grid(svg, x, y);

        XElement g = svg.Group(new XAttribute("class", "beacons"));
        foreach ((BeaconConfiguration c, MeasurePoint[] points) in beacons)
        {
            var px = points.Select(p => (x.Map(p.CumulativeCondition), y.Map(p.CumulativeEnergy))).ToArray();
            if (px.Length > 1)
            {
                g.Add(SvgDocument.Polyline(px, BeaconGrey, 1.2, new XAttribute("stroke-dasharray", "2 3"), new XAttribute("class", "beacon-trajectory")));
            }

            XElement dot = new(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(px[^1].Item1)), new XAttribute("cy", SvgDocument.F(px[^1].Item2)),
                new XAttribute("r", "4"), new XAttribute("fill", "#c8c8c8"), new XAttribute("stroke", "#808080"), new XAttribute("class", "beacon"),
                new XAttribute("data-configuration", c.Label));
            dot.Add(new XElement(SvgDocument.Ns + "title", $"{c.Label}: final test error {100 * c.MeanFinalError:0.00}% ({c.Finished.Count} seeds)"));
            g.Add(dot);
        }

        if (map?.Derived.BestBeacons.Count > 0)
        {
            BestBeacon best = map.Derived.BestBeacons[0];
            var final = beacons.FirstOrDefault(b => b.Configuration.BatchSize == best.BatchSize && b.Configuration.LearningRate == best.LearningRate);
            if (final.Points is { Length: > 0 })
            {
                MeasurePoint p = final.Points[^1];
                g.Add(SvgDocument.Text(x.Map(p.CumulativeCondition) + 7, y.Map(p.CumulativeEnergy) + 16, $"best beacon {best.Label}",
                    new XAttribute("font-size", "11.5"), new XAttribute("fill", "#555555"), PlotFrame.Halo()));
            }
        }

        XElement s = svg.Group(new XAttribute("class", "schedules"));
        foreach (var line in lines)
        {
            var px = line.Points.Select(p => (X: x.Map(p.First.CumulativeCondition), Y: y.Map(p.First.CumulativeEnergy), Fraction: p.Second)).ToArray();
            if (px.Length == 0)
            {
                continue;
            }

            s.Add(SvgDocument.Polyline(px.Select(p => (p.X, p.Y)), line.Colour, 2.4, new XAttribute("class", "schedule"), new XAttribute("data-schedule", line.Series.Label)));
            foreach (var p in px)
            {
                XElement marker = Palette.Marker(Array.IndexOf(fractions, p.Fraction), p.X, p.Y, 5, line.Colour, "#000000", new XAttribute("class", "history-point"));
                marker.Add(new XElement(SvgDocument.Ns + "title", string.Create(CultureInfo.InvariantCulture, $"{line.Series.Label} at {100 * p.Fraction:0}% of the epochs")));
                s.Add(marker);
            }

            s.Add(PlotFrame.EndLabel(px[^1].X, px[^1].Y, Left + Width, line.Series.Label));
        }

        PlotFrame.Axes(svg, x, y, "C\u0304_K  (mean truncated condition number, dimensionless, log scale)", "L_K  (learning-rate-weighted cumulative Fisher energy, log scale)");

        var legend = new PlotLegend(svg, Left + Width + 40, Top);
        legend.Heading("Schedule (colour)");
        foreach (var line in lines)
        {
            legend.Entry(line.Series.Label, (cx, cy) => SvgDocument.Line(cx - 17, cy, cx + 17, cy, line.Colour, 3));
        }

        legend.Heading("Fraction of epochs (marker)");
        for (int k = 0; k < fractions.Length; k++)
        {
            int index = k;
            legend.Entry(string.Create(CultureInfo.InvariantCulture, $"{100 * fractions[k]:0}%"), (cx, cy) => Palette.Marker(index, cx, cy, 5, "#bbbbbb", "#000000"));
        }

        if (beacons.Length > 0)
        {
            legend.Heading("Beacons");
            legend.Entry("configuration", (cx, cy) => new XElement(SvgDocument.Ns + "g",
                SvgDocument.Line(cx - 17, cy, cx + 17, cy, BeaconGrey, 1.2, new XAttribute("stroke-dasharray", "2 3")),
                new XElement(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(cx + 14)), new XAttribute("cy", SvgDocument.F(cy)), new XAttribute("r", "4"),
                    new XAttribute("fill", "#c8c8c8"), new XAttribute("stroke", "#808080"))));
            legend.Note("dot: final point (last fraction)");
        }

        return svg.ToString();
    }
}
