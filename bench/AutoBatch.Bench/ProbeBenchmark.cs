using System.Diagnostics;
using System.Text.Json.Nodes;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Bench;

/// <summary>
/// <c>probe</c> (the probe's cost): in one process, plain and probed training steps alternate (ABBA order, so drift and
/// CPU steal hit both alike); then the standalone eval-mode probe (its own forward and backward, BatchNorm on
/// running statistics, like the PyTorch peers); then the native per-sample backward loop on the same batch.
/// </summary>
internal static class ProbeBenchmark
{
    public static JsonObject Run(BenchArguments arguments)
    {
        using BenchSession session = BenchSession.Open(arguments);
        // Synchronous: the Gram and eigen times here are the probe's own cost (compare the step verb with --background).
        ProbeSettings settings = arguments.ProbeSettings with { Background = false };
        for (int i = 0; i < arguments.Warmup; i++)
        {
            session.Step(i);
            session.Step(i, settings);
        }

        var plain = new List<double>();
        var probed = new List<double>();
        var plainCpu = new List<double>();
        var probedCpu = new List<double>();
        var gram = new List<double>();
        var eigen = new List<double>();
        var rows = new List<double>();
        int probeNotOk = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; probed.Count < arguments.Steps || clock.Elapsed.TotalSeconds < arguments.MinSeconds; i++)
        {
            bool probeFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++)
            {
                bool probe = (k == 0) == probeFirst;
                TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
                long start = Stopwatch.GetTimestamp();
                StepResult result = session.Step(2 * i + k, probe ? settings : null);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                double cpu = (Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds;
                if (result.Probe is { } reading)
                {
                    probed.Add(ms);
                    probedCpu.Add(cpu);
                    gram.Add(reading.GramSeconds * 1e3);
                    eigen.Add(reading.EigenSeconds * 1e3);
                    rows.Add(reading.RowsSeconds * 1e3);
                    probeNotOk += reading.Status == ProbeStatus.Ok ? 0 : 1;
                }
                else
                {
                    plain.Add(ms);
                    plainCpu.Add(cpu);
                }
            }
        }

        JsonObject json = session.Header();
        json["warmup"] = arguments.Warmup;
        json["pairs"] = probed.Count;
        json["plain_ms_median"] = Summary.Median(plain);
        json["probe_step_ms_median"] = Summary.Median(probed);
        json["probe_step_ratio"] = Summary.Median(probed) / Summary.Median(plain);
        json["probe_step_ratio_cpu"] = Summary.Median(probedCpu) / Summary.Median(plainCpu);
        json["gram_ms_median"] = Summary.Median(gram);
        json["eigen_ms_median"] = Summary.Median(eigen);
        json["probe_cost_ms_median"] = Summary.Median(gram.Zip(eigen, (g, e) => g + e).ToList());
        // The fused conv layers' backward time (per-sample rows, their sum, the weight gradient from it): an upper
        // bound on the probe's share of the backward, which Gram + eigen times do not include.
        json["rows_ms_median"] = Summary.Median(rows);
        // What the probe adds to a step: on fused conv layers the per-sample gradients are computed inside the
        // backward (in place of the batch weight gradient), which Gram + eigen times do not include.
        json["probe_marginal_ms"] = Summary.Median(probed) - Summary.Median(plain);
        json["probe_marginal_cpu_ms"] = Summary.Median(probedCpu) - Summary.Median(plainCpu);
        json["probe_not_ok"] = probeNotOk;
        AddStandaloneProbe(session, settings, json);
        AddPerSampleLoop(session, json);
        session.AddMemory(json);
        return json;
    }

    private static void AddStandaloneProbe(BenchSession session, ProbeSettings settings, JsonObject json)
    {
        ITrainingNetwork net = session.Network;
        float[] x = session.Batches.Input(0);
        long[] y = session.Batches.Labels(0);
        double lr = session.Arguments.LearningRate;
        net.Probe(x, y, lr, trainMode: false, settings);
        var wall = new List<double>();
        var gram = new List<double>();
        for (int r = 0; r < session.Arguments.Reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            ProbeReading reading = net.Probe(x, y, lr, trainMode: false, settings);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            gram.Add((reading.GramSeconds + reading.EigenSeconds) * 1e3);
        }

        json["eval_probe_ms_median"] = Summary.Median(wall);
        json["eval_probe_gram_eigen_ms_median"] = Summary.Median(gram);
    }

    private static void AddPerSampleLoop(BenchSession session, JsonObject json)
    {
        int reps = session.Arguments.LoopReps;
        if (reps == 0)
        {
            return;
        }

        ITrainingNetwork net = session.Network;
        float[] x = session.Batches.Input(0);
        long[] y = session.Batches.Labels(0);
        int inputSize = x.Length / y.Length;
        int warm = Math.Min(4, y.Length);
        net.PerSampleGradients(x.AsSpan(0, warm * inputSize), y.AsSpan(0, warm), trainMode: false);
        var wall = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            net.PerSampleGradients(x, y, trainMode: false);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        json["native_loop_ms_median"] = Summary.Median(wall);
        json["native_loop_reps"] = reps;
    }
}
