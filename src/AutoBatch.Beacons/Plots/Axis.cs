using System.Globalization;

namespace AutoBatch.Beacons.Plots;

/// <summary>A plot axis: maps data values to pixels and proposes labelled ticks.</summary>
internal sealed class Axis
{
    private Axis(double low, double high, double pixelLow, double pixelHigh, bool log, bool integers = false)
    {
        Integers = integers;
        if (!(high - low > 1e-9 * Math.Max(Math.Abs(low), Math.Abs(high))))
        {
            // A degenerate range (one value) is widened so the value sits in the middle of the axis.
            (low, high) = log ? (low / 2, high * 2) : (low - 0.5, high + 0.5);
        }

        Low = low;
        High = high;
        PixelLow = pixelLow;
        PixelHigh = pixelHigh;
        IsLog = log;
    }

    public double Low { get; }

    public double High { get; }

    public double PixelLow { get; }

    public double PixelHigh { get; }

    public bool IsLog { get; }

    /// <summary>Ticks at whole numbers only (an epoch axis: no tick at epoch 1.2).</summary>
    public bool Integers { get; }

    /// <summary>A logarithmic axis from <paramref name="low"/> to <paramref name="high"/> (both &gt; 0).</summary>
    public static Axis Log(double low, double high, double pixelLow, double pixelHigh) => new(low, high, pixelLow, pixelHigh, log: true);

    /// <summary>A linear axis.</summary>
    public static Axis Linear(double low, double high, double pixelLow, double pixelHigh) => new(low, high, pixelLow, pixelHigh, log: false);

    /// <summary>A linear axis of whole numbers (epochs): its ticks are integers, at steps of 1, 2, 5, 10, ...</summary>
    public static Axis LinearIntegers(double low, double high, double pixelLow, double pixelHigh) =>
        new(low, high, pixelLow, pixelHigh, log: false, integers: true);

    /// <summary>A log axis over the values, widened by <paramref name="pad"/> of the log range at each end.</summary>
    public static Axis LogSpanning(IEnumerable<double> values, double pad, double pixelLow, double pixelHigh)
    {
        double[] logs = values.Where(v => v > 0 && double.IsFinite(v)).Select(v => Math.Log(v)).ToArray();
        double lo = logs.Length == 0 ? 0 : logs.Min(), hi = logs.Length == 0 ? 1 : logs.Max();
        double span = hi > lo ? hi - lo : 1;
        return Log(Math.Exp(lo - pad * span), Math.Exp(hi + pad * span), pixelLow, pixelHigh);
    }

    public double Map(double value)
    {
        double t = IsLog
            ? (Math.Log(value) - Math.Log(Low)) / (Math.Log(High) - Math.Log(Low))
            : (value - Low) / (High - Low);
        return PixelLow + t * (PixelHigh - PixelLow);
    }

    /// <summary>Tick values inside the axis: decades, 1-2-5 or 1..9 per decade on log axes, "nice" steps otherwise.</summary>
    public IReadOnlyList<double> Ticks()
    {
        if (IsLog)
        {
            foreach ((int[] mantissas, int needed) in new[] { (new[] { 1 }, 4), (new[] { 1, 2, 5 }, 3), (new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 3) })
            {
                List<double> ticks = LogTicks(mantissas);
                if (ticks.Count >= needed)
                {
                    return ticks;
                }
            }
        }

        return LinearTicks(Low, High, 6, Integers);
    }

    /// <summary>A compact label: up to four significant digits, exponent form for very large or small values.</summary>
    public static string Label(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3))
        {
            return v.ToString("0.##e0", CultureInfo.InvariantCulture);
        }

        int digits = a == 0 ? 0 : Math.Max(0, 3 - (int)Math.Floor(Math.Log10(a)));
        return Math.Round(v, Math.Min(digits, 10)).ToString("0.##########", CultureInfo.InvariantCulture);
    }

    private List<double> LogTicks(int[] mantissas)
    {
        var ticks = new List<double>();
        for (int k = (int)Math.Floor(Math.Log10(Low)); k <= (int)Math.Ceiling(Math.Log10(High)); k++)
        {
            foreach (int m in mantissas)
            {
                // Built from the decimal string so 3e-1 is exactly the double nearest 0.3 (a clean label).
                double v = double.Parse($"{m}e{k}", CultureInfo.InvariantCulture);
                if (v >= Low * (1 - 1e-12) && v <= High * (1 + 1e-12))
                {
                    ticks.Add(v);
                }
            }
        }

        return ticks;
    }

    /// <summary>Tick steps a reader counts in, per power of ten.</summary>
    private static readonly double[] NiceSteps = [1.0, 2.0, 2.5, 5.0, 10.0];

    private static List<double> LinearTicks(double low, double high, int target, bool integers = false)
    {
        double raw = (high - low) / target;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = NiceSteps.Select(m => m * magnitude).First(s => s >= raw);
        if (integers)
        {
            // Whole steps only: 2.5 becomes 2 at any magnitude (0.25 then becomes 1), and anything below 1 becomes 1.
            step = Math.Max(1, step == 2.5 * magnitude ? 2 * magnitude : step);
        }

        // Integer multiples of the step, so the loop ends however small the step is against the values.
        long first = (long)Math.Ceiling(low / step - 1e-9), last = (long)Math.Floor(high / step + 1e-9);
        var ticks = new List<double>();
        for (long k = first; k <= last && ticks.Count <= 4 * target; k++)
        {
            ticks.Add(k * step);
        }

        return ticks;
    }
}
