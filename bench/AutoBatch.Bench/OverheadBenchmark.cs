using System.Diagnostics;
using System.Text.Json.Nodes;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Bench;

/// <summary>
/// <c>overhead</c> (the probe's whole-epoch overhead): a real short run at the measurement interval. Blocks of
/// <c>--interval</c> steps, either all plain or with the first step probed (as the trainer does at n mod interval = 1),
/// alternate in ABBA order; the overhead is the ratio of their median block times minus one, in wall time and in
/// process CPU time (the latter barely moves with other load on a shared machine, as the step runs on one thread).
/// <c>--block-intervals M</c> makes a block M intervals long (a probe at the start of each): at a short interval the
/// overhead is large enough to read through the noise, and 1 + interval · overhead is what a probed step costs
/// relative to a plain one, background probe and contention included. <c>--block-steps S</c> makes a block S steps
/// long instead, with the trainer's probes at n mod interval = 1: with S an epoch's step count, a block is an epoch
/// (at B = 512 on 60,000 samples, 118 steps and 3 probes, where one probe per 50 steps would suggest 2.4).
/// </summary>
internal static class OverheadBenchmark
{
    public static JsonObject Run(BenchArguments arguments)
    {
        using BenchSession session = BenchSession.Open(arguments);
        ProbeSettings settings = arguments.ProbeSettings;
        for (int i = 0; i < arguments.Warmup; i++)
        {
            session.Step(i, i == 0 ? settings : null);
        }

        if (session.Network.ProbePending)
        {
            session.Network.CollectProbe();
        }

        var plainBlocks = new List<double>();
        var probedBlocks = new List<double>();
        var plainCpu = new List<double>();
        var probedCpu = new List<double>();
        var plainSteps = new List<double>();
        var probedSteps = new List<double>();
        // Per-step wall and CPU times by role: steps of plain blocks, probed steps, and the other steps of probed blocks
        // (which a background probe slows by sharing the machine). Medians per role are robust to the slow outlier
        // blocks that dominate block ratios on this VM.
        var roles = new Dictionary<string, (List<double> Wall, List<double> Cpu)>
        {
            ["plain"] = ([], []), ["probed"] = ([], []), ["follower"] = ([], []),
        };
        int step = 0;
        for (int pair = 0; pair < arguments.Pairs; pair++)
        {
            bool probedFirst = pair % 2 == 1;
            for (int k = 0; k < 2; k++)
            {
                bool probed = (k == 0) == probedFirst;
                TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
                long blockStart = Stopwatch.GetTimestamp();
                for (int n = 1; n <= arguments.BlockSteps; n++)
                {
                    bool measure = probed && settings.IsMeasured(n);
                    TimeSpan stepCpu = Environment.CpuUsage.TotalTime;
                    long start = Stopwatch.GetTimestamp();
                    if (measure && session.Network.ProbePending)
                    {
                        session.Network.CollectProbe();  // as the trainer does before the next probed step
                    }

                    session.Step(step++, measure ? settings : null);
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    (measure ? probedSteps : plainSteps).Add(ms);
                    var role = roles[!probed ? "plain" : measure ? "probed" : "follower"];
                    role.Wall.Add(ms);
                    role.Cpu.Add((Environment.CpuUsage.TotalTime - stepCpu).TotalMilliseconds);
                }

                if (session.Network.ProbePending)
                {
                    session.Network.CollectProbe();  // inside the block's time, as the trainer collects at the epoch's end
                }

                (probed ? probedBlocks : plainBlocks).Add(Stopwatch.GetElapsedTime(blockStart).TotalMilliseconds);
                (probed ? probedCpu : plainCpu).Add((Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds);
            }
        }

        double plainStep = Summary.Median(plainSteps);
        int blockSteps = arguments.BlockSteps;
        int probesPerBlock = Enumerable.Range(1, blockSteps).Count(settings.IsMeasured);
        JsonObject json = session.Header();
        json["interval"] = arguments.Interval;
        json["block_intervals"] = arguments.BlockIntervals;
        json["block_steps"] = blockSteps;
        json["probes_per_block"] = probesPerBlock;
        json["background"] = settings.Background;
        json["pairs"] = arguments.Pairs;
        json["plain_block_ms_median"] = Summary.Median(plainBlocks);
        json["probed_block_ms_median"] = Summary.Median(probedBlocks);
        json["measured_overhead"] = Summary.Median(probedBlocks) / Summary.Median(plainBlocks) - 1;
        json["measured_overhead_total"] = probedBlocks.Sum() / plainBlocks.Sum() - 1;
        json["plain_block_cpu_ms_median"] = Summary.Median(plainCpu);
        json["probed_block_cpu_ms_median"] = Summary.Median(probedCpu);
        json["measured_overhead_cpu"] = Summary.Median(probedCpu) / Summary.Median(plainCpu) - 1;
        json["plain_step_ms_median"] = plainStep;
        json["probe_step_ms_median"] = Summary.Median(probedSteps);
        json["extrapolated_overhead"] = probesPerBlock * (Summary.Median(probedSteps) - plainStep) / (blockSteps * plainStep);
        // What one probed step costs, relative to a plain step, from per-role medians: the probed step itself (with
        // any wait for the previous background probe) plus what the other steps of its block's share lose to it.
        double others = (double)(blockSteps - probesPerBlock) / probesPerBlock;
        foreach ((string suffix, Func<(List<double> Wall, List<double> Cpu), List<double>> of) in
                 new (string, Func<(List<double> Wall, List<double> Cpu), List<double>>)[] { ("", r => r.Wall), ("_cpu", r => r.Cpu) })
        {
            double plain = Summary.Median(of(roles["plain"]));
            double probedMs = Summary.Median(of(roles["probed"]));
            double follower = others > 0 ? Summary.Median(of(roles["follower"])) : plain;
            json["step_plain_ms" + suffix] = plain;
            json["step_probed_ms" + suffix] = probedMs;
            json["step_follower_ms" + suffix] = follower;
            json["effective_step_ratio" + suffix] = (probedMs + others * (follower - plain)) / plain;
        }

        json["block_ratios"] = Ratios(plainBlocks, probedBlocks);
        json["block_cpu_ratios"] = Ratios(plainCpu, probedCpu);
        session.AddMemory(json);
        return json;
    }

    private static JsonArray Ratios(List<double> plain, List<double> probed) =>
        new(plain.Zip(probed, (p, q) => (JsonNode?)JsonValue.Create(q / p)).ToArray());
}
