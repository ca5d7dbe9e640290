using System.Globalization;

namespace AutoBatch.Bench;

/// <summary>Resident-set figures of this process from <c>/proc/self/status</c>, in MiB.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set (VmHWM) so far.</summary>
    public static double PeakMiB() => Read("VmHWM:");

    /// <summary>Current resident set (VmRSS).</summary>
    public static double CurrentMiB() => Read("VmRSS:");

    private static double Read(string key)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string kb = line[key.Length..].Trim().Split(' ')[0];
                return double.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
