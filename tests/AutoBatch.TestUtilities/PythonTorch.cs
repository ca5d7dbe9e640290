using System.Diagnostics;

namespace AutoBatch.TestUtilities;

/// <summary>
/// The system Python with PyTorch (Debian's python3-torch; the pyenv python3 on PATH has no torch), for the tests that
/// check AutoBatch against PyTorch. Shared with the Controller tests (linked source).
/// </summary>
public static class PythonTorch
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Ignores the calling test when <see cref="Python"/> is missing or cannot import torch.</summary>
    public static void Require()
    {
        if (!File.Exists(Python))
        {
            Assert.Ignore($"{Python} is not installed; this check needs it with the torch module (Debian: python3-torch).");
        }

        (int exit, _, string stderr) = Run(["-c", "import torch"], Path.GetTempPath());
        if (exit != 0)
        {
            Assert.Ignore($"{Python} cannot import torch (Debian: install python3-torch): {stderr.Trim()}");
        }
    }

    /// <summary>The checkout's root (the folder holding AutoBatch.sln) above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutoBatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No AutoBatch.sln above {TestContext.CurrentContext.TestDirectory}.");
    }

    /// <summary>
    /// Runs <see cref="Python"/> with <paramref name="arguments"/> to completion (at most 3 minutes) and returns its exit
    /// code and what it printed. <paramref name="pythonPath"/>: PYTHONPATH, e.g. the checkout's tools/ folder.
    /// </summary>
    public static (int Exit, string Stdout, string Stderr) Run(IEnumerable<string> arguments, string workingDirectory, string? pythonPath = null)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (pythonPath is not null)
        {
            start.Environment["PYTHONPATH"] = pythonPath;
        }

        // Keep the checkout clean: no __pycache__ folder in tools/.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} {string.Join(' ', arguments)} did not finish within 3 minutes.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
