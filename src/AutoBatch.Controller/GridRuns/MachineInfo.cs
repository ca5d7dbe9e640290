using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Controller.GridRuns;

/// <summary>Facts about this machine and checkout, for provenance records.</summary>
public static class MachineInfo
{
    /// <summary>CPU model, logical cores and OS, e.g. "Intel(R) Xeon(R) Processor @ 2.50GHz, 2 cores, Debian GNU/Linux 12".</summary>
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        return string.Create(CultureInfo.InvariantCulture, $"{cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}");
    }

    /// <summary>The git commit of the working folder, or "unknown".</summary>
    public static string Commit()
    {
        try
        {
            var start = new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process? git = Process.Start(start);
            if (git is null)
            {
                return "unknown";
            }

            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>A provenance record for something produced now by <paramref name="command"/>.</summary>
    public static Provenance Provenance(string command, int threadsPerRun, int parallelRuns, double runSeconds) => new()
    {
        Command = command,
        Commit = Commit(),
        Date = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        Machine = Describe(),
        Engine = AutoBatch.Engine.Runtime.Engines.Describe(),
        ThreadsPerRun = threadsPerRun,
        ParallelRuns = parallelRuns,
        RunSeconds = runSeconds,
        WallSeconds = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds,
    };
}
