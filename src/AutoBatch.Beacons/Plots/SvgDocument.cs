using System.Globalization;
using System.Xml.Linq;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// A minimal SVG builder over <see cref="XElement"/>, so every plot is well-formed XML with escaped text and
/// culture-invariant numbers. Coordinates are pixels, y downwards.
/// </summary>
internal sealed class SvgDocument
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    private readonly XElement _root;

    public SvgDocument(double width, double height, string title)
    {
        Width = width;
        Height = height;
        _root = new XElement(
            Ns + "svg",
            new XAttribute("width", F(width)),
            new XAttribute("height", F(height)),
            new XAttribute("viewBox", $"0 0 {F(width)} {F(height)}"),
            new XAttribute("font-family", "DejaVu Sans, Arial, Helvetica, sans-serif"),
            new XAttribute("font-size", "13"),
            new XElement(Ns + "title", title),
            new XElement(Ns + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
    }

    public double Width { get; }

    public double Height { get; }

    /// <summary>Formats a coordinate with two decimals, invariant culture.</summary>
    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public XElement Group(params object[] attributes)
    {
        var g = new XElement(Ns + "g", attributes);
        _root.Add(g);
        return g;
    }

    public XElement Add(XElement element)
    {
        _root.Add(element);
        return element;
    }

    public static XElement Rect(double x, double y, double w, double h, string fill, params object[] extra) =>
        new(Ns + "rect", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("width", F(w)), new XAttribute("height", F(h)), new XAttribute("fill", fill), extra);

    public static XElement Line(double x1, double y1, double x2, double y2, string stroke, double width, params object[] extra) =>
        new(Ns + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)), new XAttribute("stroke", stroke), new XAttribute("stroke-width", F(width)), extra);

    public static XElement Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, params object[] extra) =>
        new(Ns + "polyline",
            new XAttribute("points", string.Join(' ', points.Select(p => $"{F(p.X)},{F(p.Y)}"))),
            new XAttribute("fill", "none"),
            new XAttribute("stroke", stroke),
            new XAttribute("stroke-width", F(width)),
            new XAttribute("stroke-linejoin", "round"),
            extra);

    public static XElement Path(string data, params object[] extra) => new(Ns + "path", new XAttribute("d", data), extra);

    /// <summary>
    /// Text where "_X" sets the single character X as a subscript and "\u0304" after a letter is drawn as an overline
    /// (fonts place the combining macron unreliably), so "C\u0304_K" reads as C̄ with subscript K.
    /// </summary>
    public static XElement Text(double x, double y, string text, params object[] extra)
    {
        var element = new XElement(Ns + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), extra);
        int i = 0;
        var plain = new System.Text.StringBuilder();
        void FlushPlain()
        {
            if (plain.Length > 0)
            {
                element.Add(new XElement(Ns + "tspan", plain.ToString()));
                plain.Clear();
            }
        }

        while (i < text.Length)
        {
            char c = text[i];
            if (c == '_' && i + 1 < text.Length)
            {
                FlushPlain();
                element.Add(new XElement(Ns + "tspan", new XAttribute("baseline-shift", "sub"), new XAttribute("font-size", "75%"), text[i + 1].ToString()));
                i += 2;
            }
            else if (i + 1 < text.Length && text[i + 1] == '\u0304')
            {
                FlushPlain();
                element.Add(new XElement(Ns + "tspan", new XAttribute("text-decoration", "overline"), c.ToString()));
                i += 2;
            }
            else
            {
                plain.Append(c);
                i++;
            }
        }

        FlushPlain();
        return element;
    }

    /// <summary>
    /// The document, one element per line. Indentation is left out on purpose: an indenting writer would put
    /// whitespace between the tspans of a text element and the renderer would show it.
    /// </summary>
    public override string ToString()
    {
        var copy = new XElement(_root);
        foreach (XElement parent in copy.DescendantsAndSelf().Where(e => e.Name.LocalName is not ("text" or "tspan" or "title")).ToList())
        {
            foreach (XElement child in parent.Elements().ToList())
            {
                child.AddBeforeSelf(new XText("\n"));
            }
        }

        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + copy.ToString(SaveOptions.DisableFormatting) + "\n";
    }
}
