using System.Xml.Linq;

namespace AutoBatch.Beacons.Plots;

/// <summary>Frame, grid lines, ticks and axis labels of one panel.</summary>
internal static class PlotFrame
{
    private const string Grey = "#444444";

    /// <summary>Draws grid lines under the data (call first).</summary>
    public static void Grid(SvgDocument svg, Axis x, Axis y)
    {
        XElement g = svg.Group(new XAttribute("class", "grid"), new XAttribute("stroke", "#000000"), new XAttribute("stroke-opacity", "0.12"));
        foreach (double t in x.Ticks())
        {
            g.Add(SvgDocument.Line(x.Map(t), y.PixelLow, x.Map(t), y.PixelHigh, "#000000", 1));
        }

        foreach (double t in y.Ticks())
        {
            g.Add(SvgDocument.Line(x.PixelLow, y.Map(t), x.PixelHigh, y.Map(t), "#000000", 1));
        }
    }

    /// <summary>Draws the frame, ticks, tick labels and axis titles over the data (call last).</summary>
    public static void Axes(SvgDocument svg, Axis x, Axis y, string xTitle, string yTitle)
    {
        XElement g = svg.Group(new XAttribute("class", "axes"), new XAttribute("fill", Grey));
        double left = x.PixelLow, right = x.PixelHigh, bottom = y.PixelLow, top = y.PixelHigh;
        g.Add(SvgDocument.Rect(left, top, right - left, bottom - top, "none", new XAttribute("stroke", Grey), new XAttribute("stroke-width", "1.2")));

        double lastLabel = double.NegativeInfinity;
        foreach (double t in x.Ticks())
        {
            double px = x.Map(t);
            g.Add(SvgDocument.Line(px, bottom, px, bottom + 5, Grey, 1.2));
            string label = Axis.Label(t);
            if (px - lastLabel >= 7.5 * label.Length + 6)
            {
                g.Add(SvgDocument.Text(px, bottom + 20, label, new XAttribute("text-anchor", "middle")));
                lastLabel = px;
            }
        }

        lastLabel = double.PositiveInfinity;
        foreach (double t in y.Ticks())
        {
            double py = y.Map(t);
            g.Add(SvgDocument.Line(left - 5, py, left, py, Grey, 1.2));
            if (lastLabel - py >= 16)
            {
                g.Add(SvgDocument.Text(left - 9, py + 4.5, Axis.Label(t), new XAttribute("text-anchor", "end")));
                lastLabel = py;
            }
        }

        g.Add(SvgDocument.Text((left + right) / 2, bottom + 45, xTitle, new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "14"), new XAttribute("fill", "#000000")));
        double cy = (top + bottom) / 2;
        g.Add(SvgDocument.Text(left - 62, cy, yTitle, new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "14"), new XAttribute("fill", "#000000"),
            new XAttribute("transform", $"rotate(-90 {SvgDocument.F(left - 62)} {SvgDocument.F(cy)})")));
    }

    /// <summary>A title line and an optional smaller subtitle.</summary>
    public static void Title(SvgDocument svg, double x, string title, string? subtitle)
    {
        svg.Add(SvgDocument.Text(x, 28, title, new XAttribute("font-size", "18"), new XAttribute("font-weight", "bold")));
        if (subtitle is not null)
        {
            svg.Add(SvgDocument.Text(x, 48, subtitle, new XAttribute("font-size", "12.5"), new XAttribute("fill", Grey)));
        }
    }

    /// <summary>A bold label at the end of a line, to its right, or to its left when the right edge is near.</summary>
    public static XElement EndLabel(double x, double y, double right, string text)
    {
        bool left = x > right - 8 * text.Length - 16;
        return SvgDocument.Text(left ? x - 8 : x + 8, y - 8, text, new XAttribute("font-weight", "bold"), new XAttribute("text-anchor", left ? "end" : "start"), Halo());
    }

    /// <summary>White halo behind text drawn over busy backgrounds.</summary>
    public static object[] Halo() =>
    [
        new XAttribute("stroke", "#ffffff"),
        new XAttribute("stroke-width", "3.5"),
        new XAttribute("stroke-linejoin", "round"),
        new XAttribute("paint-order", "stroke"),
    ];
}
