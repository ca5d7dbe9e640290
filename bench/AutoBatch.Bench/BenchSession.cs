using System.Text.Json.Nodes;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;

namespace AutoBatch.Bench;

/// <summary>
/// What every benchmark needs: threads set once, the network (SGD as the paper: momentum 0.9, Nesterov,
/// weight decay 1e-4), synthetic MNIST-shaped batches, and the peak memory before the first step.
/// </summary>
internal sealed class BenchSession : IDisposable
{
    private const int BatchCount = 4;
    private static readonly InputShape Shape = new(1, 28, 28);

    private BenchSession(BenchArguments arguments, ITrainingNetwork network, SyntheticBatches batches)
    {
        Arguments = arguments;
        Network = network;
        Batches = batches;
        SetupPeakMiB = ProcessMemory.PeakMiB();
    }

    public BenchArguments Arguments { get; }

    public ITrainingNetwork Network { get; }

    public SyntheticBatches Batches { get; }

    /// <summary>VmHWM after the model and the data exist, before any step.</summary>
    public double SetupPeakMiB { get; }

    public static BenchSession Open(BenchArguments arguments)
    {
        Engines.SetThreads(arguments.Threads);
        ModelSpec spec = ModelSpec.Parse(arguments.Model, Shape, classes: 10);
        var batches = new SyntheticBatches(Shape, spec.Classes, arguments.Batch, BatchCount, arguments.Seed);
        ITrainingNetwork network = Engines.CreateNetwork(spec, SgdSettings.Paper, arguments.Seed);
        return new BenchSession(arguments, network, batches);
    }

    public StepResult Step(int index, ProbeSettings? probe = null) =>
        Network.TrainStep(Batches.Input(index), Batches.Labels(index), Arguments.LearningRate, probe);

    /// <summary>The fields every result starts with.</summary>
    public JsonObject Header() => new()
    {
        ["side"] = Engines.Current == EngineKind.TorchSharp ? "torchsharp" : "engine",
        ["engine"] = Engines.Describe(),
        ["verb"] = Arguments.Verb,
        ["model"] = Arguments.Model,
        ["batch"] = Arguments.Batch,
        ["threads"] = Engines.Threads,
        ["params"] = Network.ParameterCount,
        ["gram_mode"] = Arguments.GramMode.ToString(),
        ["conv_kernel"] = Arguments.ConvKernel.ToString(),
        ["gram_kernel"] = Arguments.GramKernel.ToString(),
    };

    /// <summary>Adds the memory figures at the end of a run.</summary>
    public void AddMemory(JsonObject result)
    {
        result["hwm_setup_mib"] = SetupPeakMiB;
        result["hwm_end_mib"] = ProcessMemory.PeakMiB();
        result["rss_end_mib"] = ProcessMemory.CurrentMiB();
    }

    public void Dispose() => Network.Dispose();
}
