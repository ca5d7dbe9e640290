using System;
using System.Diagnostics;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Models.Networks;
using static TorchSharp.torch;
TorchRuntime.SetThreads(1);
foreach (var shape in new long[][] { [8,16,28,28], [32,16,28,28], [512,16,28,28], [512,32,14,14], [512,64,7,7] })
{
    var x = randn(shape).requires_grad_(true);
    var g = randn(shape);
    foreach (var kernel in new[] { false, true, false, true })
    {
        nn.Module<Tensor, Tensor> bn = kernel ? new KernelBatchNorm2d(shape[1]) : nn.BatchNorm2d(shape[1]);
        void Step() { using var s = NewDisposeScope(); var y = bn.call(x); y.backward([g]); }
        void Fwd() { using var s = NewDisposeScope(); var y = bn.call(x); }
        for (int i = 0; i < 3; i++) Step();
        int n = shape[0] >= 512 ? 10 : 200; var t = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) Step();
        double dt = t.Elapsed.TotalMilliseconds / n;
        t.Restart();
        for (int i = 0; i < n; i++) Fwd();
        double df = t.Elapsed.TotalMilliseconds / n;
        Console.WriteLine($"{string.Join(",", shape)} {(kernel ? "ours" : "libtorch")} fwd+bwd {dt:F3} ms fwd {df:F3} ms");
    }
}
