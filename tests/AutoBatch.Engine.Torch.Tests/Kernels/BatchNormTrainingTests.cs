using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Models.Networks;
using AutoBatch.Engine.Probe;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>
/// BatchNorm2d's training kernels (Native/BatchNormTraining.h, <see cref="KernelBatchNorm2d"/>) against LibTorch's own
/// BatchNorm2d on the same input: output, input and parameter gradients, running statistics; the AVX-512 and portable
/// code and every thread count bit for bit; the cases the layer leaves to LibTorch; refused shapes.
/// </summary>
public sealed class BatchNormTrainingTests
{
    private static IEnumerable<GramKernel> Kernels() =>
        ProbeKernels.Avx512Available ? [GramKernel.Blas, GramKernel.Avx512] : [GramKernel.Blas];

    // Positions with a masked tail (49, 15), whole vectors (64), a single position (1 x 1 maps), ResNet-8's first stage.
    [TestCase(3, 5, 7, 7)]
    [TestCase(2, 3, 1, 1)]
    [TestCase(4, 17, 5, 3)]
    [TestCase(16, 8, 8, 8)]
    [TestCase(8, 16, 28, 28)]
    public void TrainingStep_MatchesLibTorchsBatchNorm2d(int n, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)((n * 1000) + channels));
        using var ours = new KernelBatchNorm2d(channels);
        using BatchNorm2d theirs = nn.BatchNorm2d(channels);
        using (no_grad())
        {
            Tensor gamma = rand([channels], generator: generator) + 0.5, beta = randn([channels], generator: generator);
            Tensor mean = randn([channels], generator: generator), variance = rand([channels], generator: generator) + 0.5;
            foreach (BatchNorm layer in new BatchNorm[] { ours, theirs })
            {
                layer.weight!.copy_(gamma);
                layer.bias!.copy_(beta);
                layer.running_mean!.copy_(mean);
                layer.running_var!.copy_(variance);
            }
        }

        // An offset mean and unequal spreads by channel, so the centring and the per-channel scale both matter.
        Tensor input = (randn([n, channels, height, width], generator: generator) * (rand([1, channels, 1, 1], generator: generator) * 3 + 0.1))
            + (randn([1, channels, 1, 1], generator: generator) * 4);
        Tensor upstream = randn([n, channels, height, width], generator: generator);
        (Tensor y, Tensor dx) oursOut = Step(ours, input, upstream);
        (Tensor y, Tensor dx) theirsOut = Step(theirs, input, upstream);

        AssertClose(oursOut.y, theirsOut.y, 2e-6, "output");
        // The input gradient is a difference of terms of size |dy| γ invstd that cancel (entirely when M = 2): its
        // rounding is relative to those terms, not to the result.
        Tensor invstd = (input.var([0, 2, 3], unbiased: false) + 1e-5).rsqrt();
        double terms = upstream.abs().max().item<float>() * (theirs.weight!.abs() * invstd).max().item<float>();
        AssertClose(oursOut.dx, theirsOut.dx, 2e-6, "input gradient", terms);
        AssertClose(ours.weight!.grad!, theirs.weight!.grad!, 2e-6, "weight gradient");
        AssertClose(ours.bias!.grad!, theirs.bias!.grad!, 2e-6, "bias gradient");
        AssertClose(ours.running_mean!, theirs.running_mean!, 1e-6, "running mean");
        AssertClose(ours.running_var!, theirs.running_var!, 1e-6, "running variance");
        Assert.That(ours.num_batches_tracked!.item<long>(), Is.EqualTo(theirs.num_batches_tracked!.item<long>()).And.EqualTo(1));
    }

    [Test]
    public void AChannelWhoseMeanIsFarFromZero_KeepsItsInputGradientAsLibTorchsIs()
    {
        // Mean 1,000 against a spread of 0.1, and an upstream gradient that follows the normalised input, so the term
        // (x - mean) k is large. Folded into x (-k a) + mean k a it cancelled and lost |mean|/std of float32's
        // precision against LibTorch's, which centres x by a subtraction (1.4e-4 of the terms here). Both keep the mean
        // as a float32; a float64 reference shows what that alone costs, so the comparison is with LibTorch's float32
        // layer, and the float64 one bounds both.
        const int n = 4, channels = 3, side = 6;
        using var scope = NewDisposeScope();
        using var generator = new Generator(71);
        using var ours = new KernelBatchNorm2d(channels);
        using BatchNorm2d theirs = nn.BatchNorm2d(channels);
        using BatchNorm2d exact = nn.BatchNorm2d(channels, dtype: ScalarType.Float64);
        Tensor input = (randn([n, channels, side, side], generator: generator) * 0.1) + 1000;
        Tensor normalised = (input - input.mean([0, 2, 3], keepdim: true)) / input.std([0, 2, 3], keepdim: true);
        Tensor upstream = normalised + (randn([n, channels, side, side], generator: generator) * 0.1);

        (_, Tensor dx) = Step(ours, input, upstream);
        (_, Tensor libtorch) = Step(theirs, input, upstream);
        (_, Tensor reference) = Step(exact, input.to(ScalarType.Float64), upstream.to(ScalarType.Float64));

        Tensor invstd = (input.to(ScalarType.Float64).var([0, 2, 3], unbiased: false) + 1e-5).rsqrt();
        double terms = upstream.abs().max().item<float>() * invstd.max().item<double>();
        double fromLibTorch = (dx - libtorch).abs().max().item<float>();
        double ours64 = (dx.to(ScalarType.Float64) - reference).abs().max().item<double>();
        double theirs64 = (libtorch.to(ScalarType.Float64) - reference).abs().max().item<double>();
        Assert.Multiple(() =>
        {
            Assert.That(fromLibTorch, Is.LessThanOrEqualTo(1e-5 * terms), $"against LibTorch: largest difference {fromLibTorch:G3}, terms {terms:G3}");
            Assert.That(ours64, Is.LessThanOrEqualTo(2 * theirs64), $"against float64: ours {ours64:G3}, LibTorch's {theirs64:G3}");
        });
    }

    [Test]
    public unsafe void Kernels_GiveTheSameBits_OnEveryPath_AndAnyThreadCount()
    {
        // 64 channels of 4 x 8 x 8 = 256 values: small enough per channel that two threads split the channels.
        const long n = 4, channels = 64, positions = 64;
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        Tensor x = (randn([n, channels, positions], generator: generator) * 2) + 1;
        Tensor dy = randn([n, channels, positions], generator: generator);
        Tensor weight = rand([channels], generator: generator) + 0.5, bias = randn([channels], generator: generator);
        float[][]? first = null;
        foreach (GramKernel kernel in Kernels())
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Tensor runningMean = zeros([channels]), runningVar = ones([channels]);
                Tensor y = empty_like(x), mean = empty([channels]), invstd = empty([channels]);
                Tensor dx = empty_like(x), dweight = empty([channels]), dbias = empty([channels]);
                var shape = new NativeBatchNormShape(n, channels, positions);
                BatchNormKernels.Forward(
                    shape, F(x), F(weight), F(bias), 1e-5, 0.1, F(runningMean), F(runningVar), F(y), F(mean), F(invstd), threads, kernel);
                BatchNormKernels.Backward(shape, F(x), F(dy), F(mean), F(invstd), F(weight), F(dx), F(dweight), F(dbias), threads, kernel);
                float[][] outputs = [.. new[] { y, mean, invstd, runningMean, runningVar, dx, dweight, dbias }.Select(t => t.data<float>().ToArray())];
                first ??= outputs;
                for (int i = 0; i < outputs.Length; i++)
                {
                    Assert.That(outputs[i], Is.EqualTo(first[i]), $"output {i} with the {kernel} kernel on {threads} thread(s)");
                }
            }
        }
    }

    [Test]
    public unsafe void Kernels_RefuseOneValuePerChannel_AndMissingBuffers()
    {
        using var scope = NewDisposeScope();
        Tensor x = ones([1, 2, 1]), weight = ones([2]), bias = zeros([2]);
        Tensor y = empty_like(x), mean = empty([2]), invstd = empty([2]);
        var single = new NativeBatchNormShape(1, 2, 1);
        Assert.That(
            () => BatchNormKernels.Forward(single, F(x), F(weight), F(bias), 1e-5, 0.1, null, null, F(y), F(mean), F(invstd), 1),
            Throws.ArgumentException.With.Message.Contains("at least 2 values per channel"));
        var two = new NativeBatchNormShape(1, 1, 2);
        Assert.That(
            () => BatchNormKernels.Forward(two, F(x), null, F(bias), 1e-5, 0.1, null, null, F(y), F(mean), F(invstd), 1),
            Throws.ArgumentException.With.Message.Contains("is null"));
    }

    [Test]
    public void EvalMode_AndDoubleInputs_TakeLibTorchsPath_BitForBit()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var ours = new KernelBatchNorm2d(4);
        using BatchNorm2d theirs = nn.BatchNorm2d(4);
        using (no_grad())
        {
            Tensor mean = randn([4], generator: generator), variance = rand([4], generator: generator) + 0.5;
            ours.running_mean!.copy_(mean);
            theirs.running_mean!.copy_(mean);
            ours.running_var!.copy_(variance);
            theirs.running_var!.copy_(variance);
        }

        Tensor input = randn([3, 4, 5, 5], generator: generator);
        ours.eval();
        theirs.eval();
        Assert.That(ours.call(input).data<float>().ToArray(), Is.EqualTo(theirs.call(input).data<float>().ToArray()), "eval mode");

        ours.train();
        theirs.train();
        ours.to(ScalarType.Float64);
        theirs.to(ScalarType.Float64);
        Tensor wide = input.to(ScalarType.Float64);
        Assert.That(ours.call(wide).data<double>().ToArray(), Is.EqualTo(theirs.call(wide).data<double>().ToArray()), "float64 in training mode");
        Assert.That(ours.running_var!.data<double>().ToArray(), Is.EqualTo(theirs.running_var!.data<double>().ToArray()));
    }

    [Test]
    public void ReleasingTheReturnedGradients_LeavesLibTorchsCopiesIntact()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        using var layer = new KernelBatchNorm2d(3);
        Tensor x = randn([4, 3, 5, 5], generator: generator).requires_grad_(true);
        layer.call(x).backward([randn([4, 3, 5, 5], generator: generator)]);
        float[] input = x.grad!.data<float>().ToArray(), weight = layer.weight!.grad!.data<float>().ToArray();

        AutoBatch.Engine.Probe.Layers.ReturnedGradients.ReleasePrevious();
        GC.Collect();
        using (var noise = NewDisposeScope())
        {
            _ = randn([4, 3, 5, 5], generator: generator) * 7;  // reuses freed memory, were any still ours
        }

        Assert.That(x.grad!.data<float>().ToArray(), Is.EqualTo(input));
        Assert.That(layer.weight!.grad!.data<float>().ToArray(), Is.EqualTo(weight));
        Assert.That(input.Any(v => v != 0), Is.True, "a gradient reached the input");
    }

    [Test]
    public void AThreeDimensionalInput_IsRefusedNamingTheExpectedShape()
    {
        using var scope = NewDisposeScope();
        using var layer = new KernelBatchNorm2d(3);
        Assert.That(() => layer.call(ones([2, 3, 4])), Throws.ArgumentException.With.Message.Contains("4-D input"));
    }

    private static (Tensor Y, Tensor Dx) Step(nn.Module<Tensor, Tensor> layer, Tensor input, Tensor upstream)
    {
        Tensor x = input.detach().clone().requires_grad_(true);
        Tensor y = layer.call(x);
        y.backward([upstream]);
        return (y.detach(), x.grad!);
    }

    private static void AssertClose(Tensor actual, Tensor expected, double relative, string what, double? scaleOf = null)
    {
        double scale = scaleOf ?? expected.abs().max().item<float>();
        double difference = (actual - expected).abs().max().item<float>();
        Assert.That(difference, Is.LessThanOrEqualTo(relative * Math.Max(scale, 1e-30)), $"{what}: largest difference {difference:G3} against largest entry {scale:G3}");
    }

    private static unsafe float* F(Tensor t) => (float*)AutoBatch.Engine.Probe.Layers.HostTensors.Address(t);
}
