using System.Diagnostics;

namespace AutoBatch.Controller.Tests.Grid;

/// <summary>Starts the real autobatch program (from the test's output folder) as a child process.</summary>
internal static class GridProcess
{
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autobatch.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using Process p = Start(args);
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>Processes whose command line contains <paramref name="marker"/>.</summary>
    public static int[] ProcessesWith(string marker) =>
        Directory.GetDirectories("/proc")
            .Select(d => (Dir: d, Ok: int.TryParse(Path.GetFileName(d), out int pid), Pid: pid))
            .Where(x => x.Ok)
            .Where(x =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Replace('\0', ' ').Contains(marker, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return false;
                }
            })
            .Select(x => x.Pid)
            .ToArray();

    /// <summary>
    /// Polls until the file at <paramref name="log"/> holds at least <paramref name="lines"/> lines, the process has
    /// exited, or two minutes have passed; the caller asserts on what it then finds.
    /// </summary>
    public static async Task WaitForLines(Process process, string log, int lines)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && !(File.Exists(log) && File.ReadAllLines(log).Length >= lines) && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(10);
        }
    }
}
