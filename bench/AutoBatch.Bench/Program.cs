using System.Text.Json.Nodes;
using AutoBatch.Bench;

// Engine side of the benchmarks; see bench/README.md. Prints one JSON object on stdout. The engine is the process's
// (AUTOBATCH_ENGINE: torchsharp, the default, or native; bench/run_bench_sides.py names it for every side).
const string Usage =
    "usage: AutoBatch.Bench step|probe|overhead --model mlp|resnet8 --batch B --threads T [--steps N] [--warmup W] " +
    "[--min-seconds S] [--probe] [--gram-mode auto|ghost|materialise] [--conv-kernel auto|unfold|grouped|direct] [--gram-kernel auto|blas|avx512] [--reps R] [--loop-reps L] [--interval I] [--pairs P]";

try
{
    BenchArguments arguments = BenchArguments.Parse(args);
    JsonObject result = arguments.Verb switch
    {
        "step" => StepBenchmark.Run(arguments),
        "probe" => ProbeBenchmark.Run(arguments),
        "overhead" => OverheadBenchmark.Run(arguments),
        _ => throw new ArgumentException($"Unknown verb '{arguments.Verb}': expected step, probe or overhead."),
    };
    Console.WriteLine(result.ToJsonString());
    return 0;
}
catch (ArgumentException e)
{
    // Options are validated where they are read; a bad one ends the run with its message, never a stack trace.
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}
