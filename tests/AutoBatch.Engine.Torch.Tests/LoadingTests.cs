using System.Diagnostics;
using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// TorchSharp's native glue loads on this system: patched by the build (eng/torchsharp) exactly where the system's
/// libstdc++ lacks GLIBCXX_3.4.32, and left as the package ships it elsewhere.
/// </summary>
public sealed class LoadingTests
{
    private const string Glue = "libLibTorchSharp.so";
    private const string Shim = "libautobatch_iosinit.so";

    [Test]
    public void LibTorch_IsTorchSharps2_10()
    {
        Assert.That(TorchRuntime.LibTorchVersion, Does.StartWith("2.10."));
    }

    [Test]
    public void Glue_IsPatchedExactlyWhereTheSystemLacksTheVersion()
    {
        string output = Path.Combine(TestContext.CurrentContext.TestDirectory, "runtimes", "linux-x64", "native");
        string shipped = PackageGlue();
        if (SystemHasVersion())
        {
            Assert.That(File.ReadAllBytes(Path.Combine(output, Glue)), Is.EqualTo(File.ReadAllBytes(shipped)));
            return;
        }

        AssertPatched(Path.Combine(output, Glue));
        Assert.That(File.Exists(Path.Combine(output, Shim)), Is.True, "the shim beside the patched glue");
        Assert.That(ReadElf("-d", shipped), Does.Not.Contain(Shim), "the NuGet cache's copy is never modified");
    }

    [Test]
    public void Script_PatchesACopy_OnceOnly_AndNothingWhereTheVersionExists()
    {
        string folder = Directory.CreateTempSubdirectory("ab-patch-").FullName;
        try
        {
            string fakeNewLibrary = Path.Combine(folder, "libstdc++.so.6");
            File.WriteAllBytes(fakeNewLibrary, [.. "GLIBCXX_3.4.31\0GLIBCXX_3.4.32\0"u8]);
            string fakeOldLibrary = Path.Combine(folder, "libstdc++.so.old");
            File.WriteAllBytes(fakeOldLibrary, [.. "GLIBCXX_3.4.30\0"u8]);
            string target = Path.Combine(folder, "out");

            Assert.That(RunScript(fakeNewLibrary, target).Trim(), Is.EqualTo("unneeded"));
            Assert.That(Directory.Exists(target), Is.False);

            Assert.That(RunScript(fakeOldLibrary, target), Does.StartWith("patched"));
            AssertPatched(Path.Combine(target, Glue));
            DateTime written = File.GetLastWriteTimeUtc(Path.Combine(target, Glue));
            Assert.That(RunScript(fakeOldLibrary, target), Does.StartWith("patched"));
            Assert.That(File.GetLastWriteTimeUtc(Path.Combine(target, Glue)), Is.EqualTo(written), "an up-to-date copy is kept");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertPatched(string glue)
    {
        Assert.That(ReadElf("-d", glue), Does.Contain($"Shared library: [{Shim}]"));
        string versions = ReadElf("-V", glue);
        Assert.That(versions, Does.Match(@"Name: GLIBCXX_3\.4\.32\s+Flags: WEAK"));
        Assert.That(versions, Does.Not.Contain("(GLIBCXX_3.4.32)"), "no symbol is bound to the missing version");
    }

    private static bool SystemHasVersion()
    {
        (string output, _) = Run("/sbin/ldconfig", ["-p"]);
        string path = output.Split('\n').Select(l => l.Trim())
            .First(l => l.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) && l.Contains("x86-64", StringComparison.Ordinal))
            .Split("=>")[1].Trim();
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) >= 0;
    }

    private static string PackageGlue()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        return Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", Glue);
    }

    private static string RunScript(string libstdcxx, string target)
    {
        string script = Path.Combine(PythonTorch.RepositoryRoot(), "eng", "torchsharp", "patch_libtorchsharp.py");
        (string output, int exit) = Run("python3", [script, PackageGlue(), target], ("AUTOBATCH_LIBSTDCXX", libstdcxx));
        Assert.That(exit, Is.Zero, output);
        return output;
    }

    private static string ReadElf(string option, string path) => Run("readelf", ["-W", option, path]).Output;

    private static (string Output, int Exit) Run(string program, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (output + error.Result, process.ExitCode);
    }
}
