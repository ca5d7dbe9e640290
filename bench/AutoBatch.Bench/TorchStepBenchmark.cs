using System.Diagnostics;
using System.Text.Json.Nodes;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;

namespace AutoBatch.Bench;

/// <summary>
/// <c>torch-step</c>: wall time of a plain <see cref="TorchNetwork.TrainStep"/> (the TorchSharp engine), measured like
/// <see cref="StepBenchmark"/> on the same synthetic batches, so that the two engines compare step for step. A process
/// of its own: the native engine's LibTorch 1.13 and TorchSharp's 2.10 cannot share one.
/// </summary>
internal static class TorchStepBenchmark
{
    public static JsonObject Run(BenchArguments arguments)
    {
        if (arguments.Probe)
        {
            throw new ArgumentException("torch-step: the TorchSharp engine has no probe yet; run without --probe.");
        }

        TorchRuntime.SetThreads(arguments.Threads);
        ModelSpec spec = ModelSpec.Parse(arguments.Model, new InputShape(1, 28, 28), classes: 10);
        var batches = new SyntheticBatches(spec.Input, spec.Classes, arguments.Batch, 4, arguments.Seed);
        using var network = TorchNetwork.Create(spec, SgdSettings.Paper, arguments.Seed);
        double setupPeak = ProcessMemory.PeakMiB();
        for (int i = 0; i < arguments.Warmup; i++)
        {
            network.TrainStep(batches.Input(i), batches.Labels(i), arguments.LearningRate);
        }

        var wall = new List<double>();
        var cpu = new List<double>();
        int nonFinite = 0;
        var clock = Stopwatch.StartNew();
        while (wall.Count < arguments.Steps || clock.Elapsed.TotalSeconds < arguments.MinSeconds)
        {
            TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
            long start = Stopwatch.GetTimestamp();
            StepResult result = network.TrainStep(batches.Input(wall.Count), batches.Labels(wall.Count), arguments.LearningRate);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            cpu.Add((Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds);
            nonFinite += result.Finite ? 0 : 1;
        }

        return new JsonObject
        {
            ["side"] = "torchsharp",
            ["verb"] = arguments.Verb,
            ["model"] = arguments.Model,
            ["batch"] = arguments.Batch,
            ["threads"] = TorchRuntime.Threads,
            ["libtorch"] = TorchRuntime.LibTorchVersion,
            ["params"] = network.ParameterCount,
            ["warmup"] = arguments.Warmup,
            ["steps"] = wall.Count,
            ["elapsed_s"] = clock.Elapsed.TotalSeconds,
            ["ms_median"] = Summary.Median(wall),
            ["ms_p10"] = Summary.Quantile(wall, 0.1),
            ["ms_p90"] = Summary.Quantile(wall, 0.9),
            ["cpu_ms_median"] = Summary.Median(cpu),
            ["samples_per_s"] = arguments.Batch / (Summary.Median(wall) / 1e3),
            ["nonfinite_steps"] = nonFinite,
            ["hwm_setup_mib"] = setupPeak,
            ["hwm_end_mib"] = ProcessMemory.PeakMiB(),
            ["rss_end_mib"] = ProcessMemory.CurrentMiB(),
        };
    }
}
