using System.Diagnostics;
using System.Text.Json.Nodes;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;

namespace AutoBatch.Bench;

/// <summary>
/// <c>step</c>: wall time of <see cref="Network.TrainStep"/> (P/Invoke included), every step plain or, with
/// <c>--probe</c>, every step probed. The throughput figure and, run twice, the probe's memory figure.
/// With <c>--background</c> every step first collects the previous step's background probe (waiting for it if it
/// is still running), inside the timing: the figure is the pipeline's time per step when every step is probed.
/// </summary>
internal static class StepBenchmark
{
    public static JsonObject Run(BenchArguments arguments)
    {
        using BenchSession session = BenchSession.Open(arguments);
        ProbeSettings? probe = arguments.Probe ? arguments.ProbeSettings : null;
        for (int i = 0; i < arguments.Warmup; i++)
        {
            if (session.Network.ProbePending)
            {
                session.Network.CollectProbe();
            }

            session.Step(i, probe);
        }

        var wall = new List<double>();
        var cpu = new List<double>();
        var native = new List<double>();
        var gram = new List<double>();
        var eigen = new List<double>();
        int nonFinite = 0, probeNotOk = 0;
        var clock = Stopwatch.StartNew();
        while (wall.Count < arguments.Steps || clock.Elapsed.TotalSeconds < arguments.MinSeconds)
        {
            TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
            long start = Stopwatch.GetTimestamp();
            ProbeReading? collected = session.Network.ProbePending ? session.Network.CollectProbe() : null;
            StepResult result = session.Step(wall.Count, probe);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            cpu.Add((Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds);
            native.Add(result.Seconds * 1e3);
            nonFinite += result.Finite ? 0 : 1;
            if ((result.Probe ?? collected) is { } reading)
            {
                probeNotOk += reading.Status == ProbeStatus.Ok ? 0 : 1;
                gram.Add(reading.GramSeconds * 1e3);
                eigen.Add(reading.EigenSeconds * 1e3);
            }
        }

        JsonObject json = session.Header();
        json["probe"] = arguments.Probe;
        json["warmup"] = arguments.Warmup;
        json["steps"] = wall.Count;
        json["elapsed_s"] = clock.Elapsed.TotalSeconds;
        json["ms_median"] = Summary.Median(wall);
        json["ms_mean"] = Summary.Mean(wall);
        json["ms_p10"] = Summary.Quantile(wall, 0.1);
        json["ms_p90"] = Summary.Quantile(wall, 0.9);
        json["cpu_ms_median"] = Summary.Median(cpu);
        json["native_ms_median"] = Summary.Median(native);
        json["samples_per_s"] = arguments.Batch / (Summary.Median(wall) / 1e3);
        json["nonfinite_steps"] = nonFinite;
        if (probe is not null)
        {
            json["gram_ms_median"] = Summary.Median(gram);
            json["eigen_ms_median"] = Summary.Median(eigen);
            json["probe_not_ok"] = probeNotOk;
        }

        session.AddMemory(json);
        return json;
    }
}
