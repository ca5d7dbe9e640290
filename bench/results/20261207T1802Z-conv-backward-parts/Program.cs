// One-off: the parts of a convolution's backward on TorchSharp 0.107 (LibTorch 2.10), 1 thread, ResNet-8's conv shapes
// on 28 x 28 inputs: the transposed convolution the fused path used for every layer's input gradient, autograd's
// forward + input gradient, forward + weight gradient, and the forward alone (ms, mean of 20 after one warm-up).
// Built as a console project referencing src/AutoBatch.Engine (for TorchRuntime.SetThreads); run with the batch size.
using System.Diagnostics;
using static TorchSharp.torch;
AutoBatch.Engine.Runtime.TorchRuntime.SetThreads(1);
double Bench(Action f, int n = 20) { f(); var t = Stopwatch.GetTimestamp(); for (int i = 0; i < n; i++) { using var s = NewDisposeScope(); f(); } return Stopwatch.GetElapsedTime(t).TotalMilliseconds / n; }
int B = int.Parse(args[0]);
foreach (var (C, O, H, st) in new[] { (1, 16, 28, 1), (16, 16, 28, 1), (16, 32, 28, 2), (32, 32, 14, 1), (32, 64, 14, 2), (64, 64, 7, 1) })
{
    using var scope = NewDisposeScope();
    var x = randn(B, C, H, H); var w = randn(O, C, 3, 3);
    var y = nn.functional.conv2d(x, w, null, [st, st], [1, 1]);
    var d = randn_like(y);
    long op = H - ((y.shape[2] - 1) * st - 2 + 3);
    double t1 = Bench(() => nn.functional.conv_transpose2d(d, w, null, [st, st], [1, 1], [op, op]));
    double t2 = Bench(() => { var xi = x.detach().requires_grad_(true); var yy = nn.functional.conv2d(xi, w, null, [st, st], [1, 1]); autograd.grad([yy], [xi], [d]); });
    double t3 = Bench(() => { var wi = w.detach().requires_grad_(true); var yy = nn.functional.conv2d(x, wi, null, [st, st], [1, 1]); autograd.grad([yy], [wi], [d]); });
    double t4 = Bench(() => nn.functional.conv2d(x, w, null, [st, st], [1, 1]));
    Console.WriteLine($"{C} {O} {H} s{st}: transpose {t1:F2}  fwd+bwd-data {t2:F2}  fwd+bwd-weight {t3:F2}  fwd {t4:F2}");
}
