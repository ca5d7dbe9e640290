using System.Xml.Linq;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// The error contour with the final beacons (paper, Fig. 1b and Fig. 3): the interpolated final test error over
/// (C̄_K, L_K) on log axes, filled in the reference code's 30 levels, the optimum region (lowest level) outlined,
/// beacons coloured by batch size with marker shape by learning rate, configurations of one learning rate joined in
/// batch-size order as in Fig. 3, and the five best labelled.
/// </summary>
internal static class ContourPlot
{
    private const double Left = 100, Top = 70, Side = 600, Pad = 0.06;
    private const int Cells = 150;

    public static string Render(BeaconMap map, IReadOnlyList<PlotOverlay> overlays)
    {
        var styles = new BeaconStyles(map);
        OptimumRegion region = map.Derived.Region;
        LogNormalisation norm = region.Surface.Normalisation;
        IReadOnlyList<BeaconConfiguration> configurations = BeaconConfiguration.Group(map.Runs);
        var beacons = configurations
            .Select(c => (Configuration: c, Point: c.PointAt(map.Grid.Epochs)))
            .Where(b => b.Point is not null)
            .Select(b => (b.Configuration, Point: b.Point!))
            .ToArray();
        var surface = new ErrorSurface(beacons.Select(b => b.Point).ToArray(), norm);

        // The plotted window: the beacons' range plus a margin, widened to take in any overlay.
        MeasurePoint[] overlayPoints = overlays.SelectMany(o => o.Points).Where(p => p.IsUsable).ToArray();
        double x0 = Math.Min(-Pad, overlayPoints.Select(p => norm.X(p.CumulativeCondition) - Pad / 2).DefaultIfEmpty(0).Min());
        double x1 = Math.Max(1 + Pad, overlayPoints.Select(p => norm.X(p.CumulativeCondition) + Pad / 2).DefaultIfEmpty(1).Max());
        double y0 = Math.Min(-Pad, overlayPoints.Select(p => norm.Y(p.CumulativeEnergy) - Pad / 2).DefaultIfEmpty(0).Min());
        double y1 = Math.Max(1 + Pad, overlayPoints.Select(p => norm.Y(p.CumulativeEnergy) + Pad / 2).DefaultIfEmpty(1).Max());
        Axis x = Axis.Log(norm.CumulativeCondition(x0), norm.CumulativeCondition(x1), Left, Left + Side);
        Axis y = Axis.Log(norm.CumulativeEnergy(y0), norm.CumulativeEnergy(y1), Top + Side, Top);

        var svg = new SvgDocument(1060, 780, "Beacon map: test error over C̄_K and L_K");
        PlotFrame.Title(svg, Left, $"Final test error over (C\u0304_K, L_K): {map.Grid.Model} on {map.Grid.Data}",
            $"{Plural(configurations.Count, "configuration")}, {Plural(map.Runs.Count, "run")}, {Plural(map.Grid.Epochs, "epoch")}; surface: inverse-distance weighting of the {ErrorSurface.Neighbours} nearest configurations in normalised log space");

        Heat(svg, surface, region, x0, x1, y0, y1);
        PlotFrame.Grid(svg, x, y);
        Outline(svg, region, x, y);
        LearningRateLines(svg, styles, beacons, x, y);
        Beacons(svg, styles, beacons, x, y);
        TopLabels(svg, map.Derived.BestBeacons, x, y);
        Overlays(svg, overlays, x, y);
        PlotFrame.Axes(svg, x, y, "C\u0304_K  (mean truncated condition number of the Fisher matrix, dimensionless, log scale)", "L_K  (learning-rate-weighted cumulative Fisher energy, log scale)");
        ColourBar(svg, region, Left + Side + 30, Top, Side);
        Legend(svg, styles, region, overlays, Left + Side + 125, Top);
        return svg.ToString();
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static int Band(double value, OptimumRegion region)
    {
        double range = region.MaximumError - region.MinimumError;
        if (value <= region.Threshold || range <= 0)
        {
            return 0;
        }

        return Math.Clamp((int)Math.Ceiling((value - region.MinimumError) / range * region.Levels) - 1, 1, region.Levels - 1);
    }

    private static string BandColour(int band, OptimumRegion region) =>
        Palette.ErrorColour(region.Levels <= 1 ? 0 : (double)band / (region.Levels - 1));

    // A filled-contour look: the surface on a fine grid, each cell painted with its level's colour; equal
    // neighbours in a row are merged into one rectangle to keep the file small.
    private static void Heat(SvgDocument svg, ErrorSurface surface, OptimumRegion region, double x0, double x1, double y0, double y1)
    {
        XElement g = svg.Group(new XAttribute("class", "surface"), new XAttribute("shape-rendering", "crispEdges"));
        double w = Side / Cells;
        for (int row = 0; row < Cells; row++)
        {
            double ny = y1 - (row + 0.5) / Cells * (y1 - y0);
            int start = 0;
            int startBand = -1;
            for (int col = 0; col <= Cells; col++)
            {
                int band = col < Cells ? Band(surface.EvaluateNormalised(x0 + (col + 0.5) / Cells * (x1 - x0), ny), region) : -2;
                if (band == startBand)
                {
                    continue;
                }

                if (startBand >= 0)
                {
                    g.Add(SvgDocument.Rect(Left + start * w, Top + row * w, (col - start) * w + 0.6, w + 0.6, BandColour(startBand, region)));
                }

                start = col;
                startBand = band;
            }
        }
    }

    // The region's boundary at the grid's resolution: every cell edge between a region cell and a cell outside it
    // (or the edge of the beacons' range), i.e. exactly the set OptimumRegion.DistanceToRegion measures from.
    private static void Outline(SvgDocument svg, OptimumRegion region, Axis x, Axis y)
    {
        SurfaceGrid grid = region.Surface;
        LogNormalisation norm = grid.Normalisation;
        int n = grid.Size;
        double half = grid.CellSize / 2;
        var d = new System.Text.StringBuilder();
        double Px(double nx) => x.Map(norm.CumulativeCondition(Math.Clamp(nx, 0, 1)));
        double Py(double ny) => y.Map(norm.CumulativeEnergy(Math.Clamp(ny, 0, 1)));
        bool In(int i, int j) => i >= 0 && j >= 0 && i < n && j < n && region.Contains(i, j);
        void Segment(double ax, double ay, double bx, double by) =>
            d.Append($"M{SvgDocument.F(Px(ax))} {SvgDocument.F(Py(ay))}L{SvgDocument.F(Px(bx))} {SvgDocument.F(Py(by))}");

        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                if (!In(i, j))
                {
                    continue;
                }

                double cx = SurfaceGrid.Node(i, n), cy = SurfaceGrid.Node(j, n);
                if (!In(i - 1, j))
                {
                    Segment(cx - half, cy - half, cx - half, cy + half);
                }

                if (!In(i + 1, j))
                {
                    Segment(cx + half, cy - half, cx + half, cy + half);
                }

                if (!In(i, j - 1))
                {
                    Segment(cx - half, cy - half, cx + half, cy - half);
                }

                if (!In(i, j + 1))
                {
                    Segment(cx - half, cy + half, cx + half, cy + half);
                }
            }
        }

        XElement g = svg.Group(new XAttribute("class", "optimum-region"));
        g.Add(SvgDocument.Path(d.ToString(), new XAttribute("fill", "none"), new XAttribute("stroke", "#ffffff"), new XAttribute("stroke-width", "5"), new XAttribute("stroke-linecap", "square")));
        g.Add(SvgDocument.Path(d.ToString(), new XAttribute("fill", "none"), new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", "2.2"), new XAttribute("stroke-linecap", "square")));
        MeasurePoint c = region.Centroid;
        g.Add(SvgDocument.Path(Cross(x.Map(c.CumulativeCondition), y.Map(c.CumulativeEnergy), 7), new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", "2.5")));
    }

    private static string Cross(double px, double py, double r) =>
        $"M{SvgDocument.F(px - r)} {SvgDocument.F(py)}H{SvgDocument.F(px + r)}M{SvgDocument.F(px)} {SvgDocument.F(py - r)}V{SvgDocument.F(py + r)}";

    private static void LearningRateLines(SvgDocument svg, BeaconStyles styles, (BeaconConfiguration Configuration, SurfacePoint Point)[] beacons, Axis x, Axis y)
    {
        XElement g = svg.Group(new XAttribute("class", "learning-rate-lines"), new XAttribute("stroke-opacity", "0.75"));
        foreach (IGrouping<double, (BeaconConfiguration Configuration, SurfacePoint Point)> line in beacons.GroupBy(b => b.Configuration.LearningRate))
        {
            var points = line.OrderBy(b => b.Configuration.BatchSize).Select(b => (x.Map(b.Point.CumulativeCondition), y.Map(b.Point.CumulativeEnergy))).ToArray();
            if (points.Length > 1)
            {
                g.Add(SvgDocument.Polyline(points, "#333333", 1.3, new XAttribute("stroke-dasharray", Palette.Dash(styles.LearningRateIndex(line.Key)))));
            }
        }
    }

    private static void Beacons(SvgDocument svg, BeaconStyles styles, (BeaconConfiguration Configuration, SurfacePoint Point)[] beacons, Axis x, Axis y)
    {
        XElement g = svg.Group(new XAttribute("class", "beacons"));
        foreach ((BeaconConfiguration c, SurfacePoint p) in beacons)
        {
            XElement marker = Palette.Marker(styles.LearningRateIndex(c.LearningRate), x.Map(p.CumulativeCondition), y.Map(p.CumulativeEnergy), 6, styles.Colour(c.BatchSize), "#000000",
                new XAttribute("class", "beacon"), new XAttribute("data-configuration", c.Label));
            marker.Add(new XElement(SvgDocument.Ns + "title", $"{c.Label}: test error {100 * c.MeanFinalError:0.00}% ± {100 * c.StdFinalError:0.00}% ({c.Finished.Count} seeds), C̄_K = {Axis.Label(p.CumulativeCondition)}, L_K = {Axis.Label(p.CumulativeEnergy)}"));
            g.Add(marker);
        }
    }

    private static void TopLabels(SvgDocument svg, IReadOnlyList<BestBeacon> best, Axis x, Axis y)
    {
        XElement g = svg.Group(new XAttribute("class", "top-labels"), new XAttribute("font-size", "12"), new XAttribute("font-weight", "bold"));
        // The best beacons sit close together by construction (paper, Fig. 1b), so each label takes the first of a
        // few positions around its point that does not cover a label already placed.
        var placed = new List<(double X0, double Y0, double X1, double Y1)>();
        foreach (BestBeacon b in best)
        {
            double px = x.Map(b.Measures.CumulativeCondition), py = y.Map(b.Measures.CumulativeEnergy);
            string text = $"{b.Rank}. {b.Label} {100 * b.MeanTestError:0.00}%";
            double width = 7.2 * text.Length;
            bool right = px < Left + Side - width - 12;
            double x0 = right ? px + 10 : px - 10 - width;
            double baseline = py - 8;
            foreach (double dy in new[] { -8.0, 18, -22, 32, -36, 46 })
            {
                baseline = py + dy;
                if (!placed.Any(r => x0 < r.X1 && x0 + width > r.X0 && baseline - 12 < r.Y1 && baseline + 2 > r.Y0))
                {
                    break;
                }
            }

            placed.Add((x0, baseline - 12, x0 + width, baseline + 2));
            g.Add(SvgDocument.Text(x0, baseline, text, PlotFrame.Halo()));
        }
    }

    private static void Overlays(SvgDocument svg, IReadOnlyList<PlotOverlay> overlays, Axis x, Axis y)
    {
        XElement g = svg.Group(new XAttribute("class", "overlays"));
        foreach (PlotOverlay o in overlays)
        {
            var points = o.Points.Where(p => p.IsUsable).Select(p => (x.Map(p.CumulativeCondition), y.Map(p.CumulativeEnergy))).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            g.Add(SvgDocument.Polyline(points, "#000000", 2.2, new XAttribute("class", "overlay")));
            foreach ((double px, double py) in points)
            {
                g.Add(new XElement(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(px)), new XAttribute("cy", SvgDocument.F(py)), new XAttribute("r", "3"), new XAttribute("fill", "#000000")));
            }

            g.Add(PlotFrame.EndLabel(points[^1].Item1, points[^1].Item2, Left + Side, o.Label));
        }
    }

    private static void ColourBar(SvgDocument svg, OptimumRegion region, double left, double top, double height)
    {
        XElement g = svg.Group(new XAttribute("class", "colour-bar"));
        const double Width = 22;
        double band = height / region.Levels;
        for (int k = 0; k < region.Levels; k++)
        {
            g.Add(SvgDocument.Rect(left, top + height - (k + 1) * band, Width, band + 0.5, BandColour(k, region), new XAttribute("shape-rendering", "crispEdges")));
        }

        g.Add(SvgDocument.Rect(left, top, Width, height, "none", new XAttribute("stroke", "#444444")));
        Axis scale = Axis.Linear(100 * region.MinimumError, 100 * region.MaximumError, top + height, top);
        if (region.MaximumError - region.MinimumError > OptimumRegion.FlatTolerance)
        {
            foreach (double t in scale.Ticks())
            {
                double py = scale.Map(t);
                g.Add(SvgDocument.Line(left + Width, py, left + Width + 4, py, "#444444", 1));
                g.Add(SvgDocument.Text(left + Width + 7, py + 4, Axis.Label(t), new XAttribute("font-size", "12")));
            }
        }
        else
        {
            g.Add(SvgDocument.Text(left + Width + 7, top + height - band / 2 + 4, $"{Axis.Label(100 * region.MinimumError)} everywhere", new XAttribute("font-size", "12")));
        }

        g.Add(SvgDocument.Text(left + 60, top + height / 2, "test error (%)", new XAttribute("text-anchor", "middle"),
            new XAttribute("transform", $"rotate(-90 {SvgDocument.F(left + 60)} {SvgDocument.F(top + height / 2)})")));
    }

    private static void Legend(SvgDocument svg, BeaconStyles styles, OptimumRegion region, IReadOnlyList<PlotOverlay> overlays, double left, double top)
    {
        var legend = new PlotLegend(svg, left, top);
        legend.Heading("Batch size (colour)");
        foreach (int b in styles.BatchSizes)
        {
            legend.Entry($"B = {b}", (cx, cy) => Palette.Marker(0, cx, cy, 6, styles.Colour(b), "#000000"));
        }

        legend.Heading("Learning rate (shape)");
        foreach (double lr in styles.LearningRates)
        {
            int k = styles.LearningRateIndex(lr);
            legend.Entry($"α = {BeaconStyles.Rate(lr)}", (cx, cy) => new XElement(SvgDocument.Ns + "g",
                SvgDocument.Line(cx - 17, cy, cx + 17, cy, "#333333", 1.3, new XAttribute("stroke-dasharray", Palette.Dash(k))),
                Palette.Marker(k, cx, cy, 6, "#bbbbbb", "#000000")));
        }

        legend.Heading("Optimum region");
        legend.Entry($"lowest of {region.Levels} levels", (cx, cy) => SvgDocument.Rect(cx - 12, cy - 7, 24, 14, BandColour(0, region), new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", "2.2")));
        legend.Note($"error ≤ {100 * region.Threshold:0.00}%");
        legend.Entry("centroid", (cx, cy) => SvgDocument.Path(Cross(cx, cy, 7), new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", "2.5")));
        if (overlays.Count > 0)
        {
            legend.Heading("Runs");
            foreach (PlotOverlay o in overlays)
            {
                legend.Entry(o.Label, (cx, cy) => SvgDocument.Line(cx - 17, cy, cx + 17, cy, "#000000", 2.2));
            }
        }

        legend.Gap(8);
        legend.Note("labels: the five best configurations");
        legend.Note("(mean final test error over seeds)");
    }
}
