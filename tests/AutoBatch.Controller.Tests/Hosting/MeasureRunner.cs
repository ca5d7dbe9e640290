using System.CommandLine;
using AutoBatch.Controller.Verbs;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>Runs the <c>measure</c> verb in-process with its standard output and error captured.</summary>
internal static class MeasureRunner
{
    /// <summary>Invokes <c>measure ARGS</c>; returns the exit code and what it wrote to standard output and error.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Invoke(params string[] arguments)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        TextWriter originalOut = Console.Out;
        TextWriter originalError = Console.Error;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int exit = await new RootCommand { MeasureVerb.Create() }.Parse(["measure", .. arguments]).InvokeAsync();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
