using System.Globalization;
using System.Xml.Linq;

namespace AutoBatch.Beacons.Plots;

/// <summary>
/// Colours, marker shapes and dash patterns shared by the plots: batch size is encoded by colour (blue = small to
/// red = large, in grid order), learning rate by marker shape and line dash, test error by a light sequential map.
/// </summary>
internal static class Palette
{
    private static readonly string[] Dashes = ["none", "9 4", "2 3", "9 3 2 3", "14 4 2 4 2 4", "5 5", "1 6", "16 5"];

    // Light viridis (viridis anchors mixed half-and-half with white): dark enough to read as a surface, light
    // enough that the saturated beacon colours stay visible on top.
    private static readonly (double T, int R, int G, int B)[] ErrorAnchors =
    [
        (0.00, 0x44, 0x01, 0x54),
        (0.25, 0x3b, 0x52, 0x8b),
        (0.50, 0x21, 0x91, 0x8c),
        (0.75, 0x5e, 0xc9, 0x62),
        (1.00, 0xfd, 0xe7, 0x25),
    ];

    /// <summary>Colour of the <paramref name="index"/>-th of <paramref name="count"/> batch sizes (ascending).</summary>
    public static string BatchColour(int index, int count)
    {
        double t = count <= 1 ? 0.15 : 0.08 + 0.84 * index / (count - 1);

        // Turbo colour map, polynomial approximation (A. Mikhailov, Google 2019), darkened a little so the yellow
        // middle still shows on white.
        double r = 0.13572138 + t * (4.61539260 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
        double g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
        double b = 0.10667330 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
        return Hex(0.85 * r, 0.85 * g, 0.85 * b);
    }

    /// <summary>Fill for a relative error <paramref name="t"/> in [0, 1] (0 = lowest error).</summary>
    public static string ErrorColour(double t)
    {
        t = Math.Clamp(t, 0, 1);
        int k = 1;
        while (k < ErrorAnchors.Length - 1 && t > ErrorAnchors[k].T)
        {
            k++;
        }

        (double t0, int r0, int g0, int b0) = ErrorAnchors[k - 1];
        (double t1, int r1, int g1, int b1) = ErrorAnchors[k];
        double u = (t - t0) / (t1 - t0);
        double Mix(int a, int c) => (a + u * (c - a)) / 255.0 * 0.5 + 0.5;
        return Hex(Mix(r0, r1), Mix(g0, g1), Mix(b0, b1));
    }

    /// <summary>Dash pattern of the <paramref name="index"/>-th learning rate ("none" = solid).</summary>
    public static string Dash(int index) => Dashes[index % Dashes.Length];

    /// <summary>Marker of the <paramref name="index"/>-th learning rate centred at (x, y), radius about <paramref name="r"/>.</summary>
    public static XElement Marker(int index, double x, double y, double r, string fill, string stroke, params object[] extra)
    {
        XNamespace ns = SvgDocument.Ns;
        var common = new object[] { new XAttribute("fill", fill), new XAttribute("stroke", stroke), new XAttribute("stroke-width", "1.2"), extra };
        return (index % 8) switch
        {
            0 => new XElement(ns + "circle", new XAttribute("cx", SvgDocument.F(x)), new XAttribute("cy", SvgDocument.F(y)), new XAttribute("r", SvgDocument.F(r)), common),
            1 => Polygon(x, y, r * 1.25, 4, Math.PI / 4, common),
            2 => Polygon(x, y, r * 1.3, 3, -Math.PI / 2, common),
            3 => Polygon(x, y, r * 1.3, 4, 0, common),
            4 => Polygon(x, y, r * 1.3, 3, Math.PI / 2, common),
            5 => Polygon(x, y, r * 1.2, 5, -Math.PI / 2, common),
            6 => Polygon(x, y, r * 1.15, 6, 0, common),
            _ => Star(x, y, r * 1.4, common),
        };
    }

    private static XElement Polygon(double x, double y, double r, int sides, double phase, object[] common) =>
        new(SvgDocument.Ns + "polygon",
            new XAttribute("points", string.Join(' ', Enumerable.Range(0, sides).Select(k =>
            {
                double a = phase + 2 * Math.PI * k / sides;
                return $"{SvgDocument.F(x + r * Math.Cos(a))},{SvgDocument.F(y + r * Math.Sin(a))}";
            }))),
            common);

    private static XElement Star(double x, double y, double r, object[] common) =>
        new(SvgDocument.Ns + "polygon",
            new XAttribute("points", string.Join(' ', Enumerable.Range(0, 10).Select(k =>
            {
                double a = -Math.PI / 2 + Math.PI * k / 5;
                double radius = k % 2 == 0 ? r : r * 0.45;
                return $"{SvgDocument.F(x + radius * Math.Cos(a))},{SvgDocument.F(y + radius * Math.Sin(a))}";
            }))),
            common);

    private static string Hex(double r, double g, double b) =>
        string.Create(CultureInfo.InvariantCulture, $"#{Byte(r):x2}{Byte(g):x2}{Byte(b):x2}");

    private static int Byte(double v) => (int)Math.Round(Math.Clamp(v, 0, 1) * 255);
}
