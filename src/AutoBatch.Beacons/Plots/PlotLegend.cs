using System.Xml.Linq;

namespace AutoBatch.Beacons.Plots;

/// <summary>A legend column: headings and entries stacked from a top-left corner.</summary>
internal sealed class PlotLegend
{
    private const double Row = 20;
    private readonly XElement _group;
    private readonly double _x;
    private double _y;

    public PlotLegend(SvgDocument svg, double x, double y)
    {
        _group = svg.Group(new XAttribute("class", "legend"));
        _x = x;
        _y = y;
    }

    /// <summary>Vertical position of the next entry.</summary>
    public double Y => _y;

    public void Heading(string text)
    {
        _y += _y > 0 ? 6 : 0;
        _group.Add(SvgDocument.Text(_x, _y + 13, text, new XAttribute("font-weight", "bold")));
        _y += Row;
    }

    public void Note(string text)
    {
        _group.Add(SvgDocument.Text(_x, _y + 12, text, new XAttribute("font-size", "11.5"), new XAttribute("fill", "#444444")));
        _y += Row - 4;
    }

    /// <summary>An entry with a swatch drawn by <paramref name="swatch"/> (given the swatch centre; up to 36 px wide).</summary>
    public void Entry(string text, Func<double, double, XElement> swatch)
    {
        _group.Add(swatch(_x + 18, _y + 9));
        _group.Add(SvgDocument.Text(_x + 44, _y + 13.5, text));
        _y += Row;
    }

    public void Gap(double pixels) => _y += pixels;
}
