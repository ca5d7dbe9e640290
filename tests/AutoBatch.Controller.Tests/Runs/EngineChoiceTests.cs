using System.Diagnostics;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Runs;
using AutoBatch.Controller.Tests.Grid;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// AUTOBATCH_ENGINE selects the engine of a process and its child runs (the real program as a child process: this test
/// process, on the default TorchSharp engine, must not load the native engine's LibTorch beside TorchSharp's). Both
/// engines draw the same initial weights from a seed and probe the same F̃, so the first measurement of a run agrees to
/// float32 rounding.
/// </summary>
public sealed class EngineChoiceTests
{
    private static string[] TrainArgs(string data, string output) =>
    [
        "train", "--data", "Mnist", "--data-path", data, "--model", "mlp:32", "--batch-size", "8", "--lr", "0.05", "--epochs", "1",
        "--probe-interval", "1000", "--seed", "7", "--threads", "1", "--output", output,
    ];

    [Test]
    public async Task TorchSharp_TheDefault_TrainsTheSameFirstMeasurementAsTheNativeEngine_AndRecordsItsEngine()
    {
        string data = TinyIdx.Write(train: 200, test: 40);
        string root = Directory.CreateTempSubdirectory("ab-engine-").FullName;
        try
        {
            (int nativeCode, string nativeLog) = await Run("native", TrainArgs(data, Path.Combine(root, "native")));
            (int torchCode, string torchLog) = await Run(null, TrainArgs(data, Path.Combine(root, "torch")));
            Assert.That(nativeCode, Is.Zero, nativeLog);
            Assert.That(torchCode, Is.Zero, torchLog);

            // One probe at the first step of the only epoch: C̄ is c_1, measured on identical weights and batch.
            EpochRecord native = Records(Path.Combine(root, "native")).Single();
            EpochRecord torch = Records(Path.Combine(root, "torch")).Single();
            Assert.That(torch.Measurements, Is.EqualTo(1));
            Assert.That(torch.CumulativeCondition, Is.EqualTo(native.CumulativeCondition).Within(1e-5 * native.CumulativeCondition));
            Assert.That(torch.MeanRank, Is.EqualTo(native.MeanRank));
            Assert.That(Summary(Path.Combine(root, "torch")).Engine, Does.StartWith("torchsharp (LibTorch 2.10"));
            Assert.That(Summary(Path.Combine(root, "native")).Engine, Does.StartWith("native"));
            Assert.That((Summary(Path.Combine(root, "torch")).Device, Summary(Path.Combine(root, "native")).Device), Is.EqualTo(("cpu", "cpu")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    // The default engine's build carries LibTorch for CPU, whose torch.cuda.is_available() is false on any machine; the
    // native engine runs on the CPU only, and its refusal names the variable that chose it.
    [TestCase(null, "--device: 'cuda' was asked for, but torch.cuda.is_available() is false")]
    [TestCase(
        "native",
        "--device: 'cuda' needs the TorchSharp engine: the native engine (AUTOBATCH_ENGINE=native) runs on the CPU only; unset AUTOBATCH_ENGINE (TorchSharp is the default), or use cpu.")]
    public async Task Cuda_WhereTheEngineHasNone_IsRefusedNamingTheOption_AndWritesNothing(string? engine, string expected)
    {
        string data = TinyIdx.Write(train: 40, test: 10);
        string output = Path.Combine(Path.GetTempPath(), "ab-engine-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int code, string log) = await Run(engine, [.. TrainArgs(data, output), "--device", "cuda"]);
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain(expected));
            Assert.That(Directory.Exists(output), Is.False, "nothing written");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Test]
    public async Task AnUnknownEngine_IsRefusedNamingTheVariable()
    {
        string data = TinyIdx.Write(train: 40, test: 10);
        string output = Path.Combine(Path.GetTempPath(), "ab-engine-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int code, string log) = await Run("libtorch3", TrainArgs(data, output));
            Assert.That(code, Is.EqualTo(2), log);
            Assert.That(log, Does.Contain("AUTOBATCH_ENGINE: 'libtorch3' is not an engine; expected native or torchsharp."));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static async Task<(int Code, string Output)> Run(string? engine, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autobatch.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        if (engine is null)
        {
            start.Environment.Remove("AUTOBATCH_ENGINE");
        }
        else
        {
            start.Environment["AUTOBATCH_ENGINE"] = engine;
        }

        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    private static IReadOnlyList<EpochRecord> Records(string folder) => EpochLog.Read(Path.Combine(folder, "epochs.jsonl"));

    private static RunSummary Summary(string folder) => RunSession.ReadSummary(Path.Combine(folder, "summary.json"));
}
