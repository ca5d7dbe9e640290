using System.CommandLine;
using System.Diagnostics;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Controller.Verbs.Compare;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Controller.Verbs.Merge;
using AutoBatch.Controller.Verbs.Report;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Controller.Verbs.Train;

namespace AutoBatch.Controller.Tests.BadInput;

/// <summary>What an <c>autobatch</c> invocation returned and printed.</summary>
internal sealed record CliResult(int Exit, string Stdout, string Stderr)
{
    /// <summary>Everything printed, for assertion messages.</summary>
    public string All => $"exit {Exit}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs <c>autobatch</c> verbs in-process (the verbs' own hosts) or as the real program in a child process.</summary>
internal static class Cli
{
    /// <summary>
    /// The verbs in-process, as Program.cs wires them, capturing standard output and error. Parse errors are the
    /// only path that differs from the program (System.CommandLine exits 1 where Program.cs exits 2), so cases of
    /// malformed flags use <see cref="RunProcessAsync(string[])"/>.
    /// </summary>
    public static async Task<CliResult> InvokeAsync(params string[] args)
    {
        // Not disposed: Spectre.Console's AnsiConsole keeps the first Console.Out it writes to and writes to it again
        // in later tests, which a disposed writer would refuse.
#pragma warning disable CA2000
        var stdout = new StringWriter();
        var stderr = new StringWriter();
#pragma warning restore CA2000
        TextWriter originalOut = Console.Out;
        TextWriter originalError = Console.Error;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var root = new RootCommand { TrainVerb.Create(), BeaconsVerb.Create(), MergeVerb.Create(), MeasureVerb.Create(), CompareVerb.Create(), RunVerb.Create(), ReportVerb.Create() };
            int exit = await root.Parse(args).InvokeAsync();
            return new CliResult(exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }

    /// <summary>
    /// <paramref name="args"/> followed by the flag/value pairs of <paramref name="defaults"/> that it does not give
    /// itself (a flag given twice is a parse error).
    /// </summary>
    public static string[] WithDefaults(string[] args, params string[] defaults)
    {
        var given = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var all = new List<string>(args);
        for (int i = 0; i + 1 < defaults.Length; i += 2)
        {
            if (!given.Contains(defaults[i]))
            {
                all.Add(defaults[i]);
                all.Add(defaults[i + 1]);
            }
        }

        return [.. all];
    }

    /// <summary>The real program (<c>dotnet autobatch.dll ARGS</c>) from the test's output folder.</summary>
    public static Task<CliResult> RunProcessAsync(params string[] args) => RunProcessAsync(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunProcessAsync(string[])"/> with extra environment variables.</summary>
    public static async Task<CliResult> RunProcessAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autobatch.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
