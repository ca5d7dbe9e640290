using System;
using System.Diagnostics;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Models.Networks;
using static TorchSharp.torch;
TorchRuntime.SetThreads(1);
// The fixed cost of one layer call on a tiny tensor: LibTorch's BatchNorm2d against ours (a custom autograd function).
var x = randn(2, 4, 2, 2).requires_grad_(true);
var g = randn(2, 4, 2, 2);
foreach (var kernel in new[] { false, true, false, true })
{
    using nn.Module<Tensor, Tensor> bn = kernel ? new KernelBatchNorm2d(4) : nn.BatchNorm2d(4);
    void Step() { using var s = NewDisposeScope(); var y = bn.call(x); y.backward([g]); }
    for (int i = 0; i < 500; i++) Step();
    int n = 5000; var t = Stopwatch.StartNew();
    for (int i = 0; i < n; i++) Step();
    Console.WriteLine($"{(kernel ? "ours" : "libtorch")} 2x4x2x2 fwd+bwd {t.Elapsed.TotalMilliseconds * 1000 / n:F1} us");
}
