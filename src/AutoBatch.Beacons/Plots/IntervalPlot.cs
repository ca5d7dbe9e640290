using System.Xml.Linq;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// Point charts of mean ± std per row (schedule), one panel per quantity, side by side: the mean as a coloured dot,
/// the sample std as a whisker, the individual values as grey dots and the reference row's mean as a dashed line.
/// </summary>
internal static class IntervalPlot
{
    private const double LabelWidth = 170, Top = 80, Row = 36, Gap = 40, RightMargin = 30;
    private const double TotalWidth = 1060;

    public static string Render(string title, string? subtitle, IReadOnlyList<IntervalPanel> panels)
    {
        int rows = panels[0].Rows.Count;
        double plotHeight = Math.Max(1, rows) * Row;
        double panelWidth = (TotalWidth - LabelWidth - RightMargin - Gap * (panels.Count - 1)) / panels.Count;
        var svg = new SvgDocument(TotalWidth, Top + plotHeight + 75, title);
        PlotFrame.Title(svg, 20, title, subtitle);

        for (int r = 0; r < rows; r++)
        {
            IntervalRow row = panels[0].Rows[r];
            svg.Add(SvgDocument.Text(LabelWidth - 12, Top + (r + 0.5) * Row + 4.5, row.Label, new XAttribute("text-anchor", "end"),
                new XAttribute("font-weight", row.IsReference ? "bold" : "normal")));
        }

        for (int p = 0; p < panels.Count; p++)
        {
            double left = LabelWidth + p * (panelWidth + Gap);
            Panel(svg, panels[p], left, panelWidth, plotHeight);
        }

        return svg.ToString();
    }

    private static void Panel(SvgDocument svg, IntervalPanel panel, double left, double width, double height)
    {
        double bottom = Top + height;
        var extent = panel.Rows
            .SelectMany(r => r.Values.Concat(r.Mean is { } m ? new[] { m - (r.Std ?? 0), m + (r.Std ?? 0) } : Array.Empty<double>()))
            .Where(double.IsFinite)
            .ToList();
        if (panel.IncludeZero)
        {
            extent.Add(0);
        }

        double low = extent.Count == 0 ? 0 : extent.Min(), high = extent.Count == 0 ? 1 : extent.Max();
        double pad = (high > low ? high - low : Math.Max(Math.Abs(high), 1)) * 0.08;
        Axis x = Axis.Linear(panel.IncludeZero && low >= 0 ? 0 : low - pad, high + pad, left, left + width);

        XElement grid = svg.Group(new XAttribute("class", "grid"));
        foreach (double t in x.Ticks())
        {
            grid.Add(SvgDocument.Line(x.Map(t), Top, x.Map(t), bottom, "#000000", 1, new XAttribute("stroke-opacity", "0.12")));
        }

        for (int r = 0; r < panel.Rows.Count; r++)
        {
            if (r % 2 == 1)
            {
                grid.Add(SvgDocument.Rect(left, Top + r * Row, width, Row, "#000000", new XAttribute("fill-opacity", "0.035")));
            }
        }

        XElement data = svg.Group(new XAttribute("class", "intervals"));
        foreach (IntervalRow reference in panel.Rows.Where(r => r.IsReference && r.Mean is not null))
        {
            double px = x.Map(reference.Mean!.Value);
            data.Add(SvgDocument.Line(px, Top, px, bottom, "#555555", 1.3, new XAttribute("stroke-dasharray", "6 4"), new XAttribute("class", "reference")));
        }

        for (int r = 0; r < panel.Rows.Count; r++)
        {
            IntervalRow row = panel.Rows[r];
            double cy = Top + (r + 0.5) * Row;
            string colour = ComparisonPlots.SeriesColour(r);
            foreach (double v in row.Values.Where(double.IsFinite))
            {
                data.Add(new XElement(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(x.Map(v))), new XAttribute("cy", SvgDocument.F(cy + 9)),
                    new XAttribute("r", "2.6"), new XAttribute("fill", "#9a9a9a"), new XAttribute("class", "value")));
            }

            if (row.Mean is not { } mean || !double.IsFinite(mean))
            {
                data.Add(SvgDocument.Text(left + 8, cy + 4.5, "no finished run", new XAttribute("fill", "#777777"), new XAttribute("font-size", "12")));
                continue;
            }

            if (row.Std is { } std && std > 0)
            {
                double a = x.Map(mean - std), b = x.Map(mean + std);
                data.Add(SvgDocument.Line(a, cy, b, cy, colour, 2.4));
                data.Add(SvgDocument.Line(a, cy - 6, a, cy + 6, colour, 2.4));
                data.Add(SvgDocument.Line(b, cy - 6, b, cy + 6, colour, 2.4));
            }

            XElement dot = new(SvgDocument.Ns + "circle", new XAttribute("cx", SvgDocument.F(x.Map(mean))), new XAttribute("cy", SvgDocument.F(cy)),
                new XAttribute("r", "5.5"), new XAttribute("fill", colour), new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", "1.2"), new XAttribute("class", "mean"));
            dot.Add(new XElement(SvgDocument.Ns + "title", $"{row.Label}: {Axis.Label(mean)}" + (row.Std is { } s ? $" ± {Axis.Label(s)}" : string.Empty) + $" ({row.Values.Count} values)"));
            data.Add(dot);
        }

        XElement axes = svg.Group(new XAttribute("class", "axes"), new XAttribute("fill", "#444444"));
        axes.Add(SvgDocument.Rect(left, Top, width, height, "none", new XAttribute("stroke", "#444444"), new XAttribute("stroke-width", "1.2")));
        double lastLabel = double.NegativeInfinity;
        foreach (double t in x.Ticks())
        {
            double px = x.Map(t);
            axes.Add(SvgDocument.Line(px, bottom, px, bottom + 5, "#444444", 1.2));
            string label = Axis.Label(t);
            if (px - lastLabel >= 7.5 * label.Length + 6)
            {
                axes.Add(SvgDocument.Text(px, bottom + 20, label, new XAttribute("text-anchor", "middle")));
                lastLabel = px;
            }
        }

        axes.Add(SvgDocument.Text(left + width / 2, bottom + 45, panel.Title, new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "14"), new XAttribute("fill", "#000000")));
    }
}
