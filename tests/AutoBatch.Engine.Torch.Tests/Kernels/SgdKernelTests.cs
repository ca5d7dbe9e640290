using AutoBatch.Engine.Kernels;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch.Kernels;

/// <summary>
/// The optimiser's step in our kernels (Native/SgdStep.h, <see cref="NesterovSgd"/>'s host path) against the same step
/// by LibTorch's tensor operations, and against the formula in scalar C#; and the gradients' finiteness check against
/// planted non-finite values in every lane position.
/// </summary>
public sealed class SgdKernelTests
{
    // Lengths that exercise a partial AVX-512 vector (1, 15, 17), whole vectors (64) and the threaded split (70,001).
    private static readonly int[] Lengths = [1, 15, 17, 64, 300, 70_001];

    private static IEnumerable<GramKernel> Kernels() =>
        ProbeKernels.Avx512Available ? [GramKernel.Blas, GramKernel.Avx512] : [GramKernel.Blas];

    [TestCase(0.9, true, 1e-4)]
    [TestCase(0.9, false, 1e-4)]
    [TestCase(0.0, false, 1e-4)]
    [TestCase(0.5, true, 0.0)]
    public void FusedStep_GivesTheBitsOfTheTensorOperations(double momentum, bool nesterov, double weightDecay)
    {
        using var scope = NewDisposeScope();
        var settings = new SgdSettings(momentum, weightDecay, nesterov);
        Tensor[] fused = Parameters(seed: 3);
        Tensor[] reference = [.. fused.Select(p => p.detach().clone().requires_grad_(true))];
        var fusedSgd = new NesterovSgd(fused, settings, fused: true);
        var referenceSgd = new NesterovSgd(reference, settings, fused: false);
        using var generator = new Generator(11);
        for (int step = 0; step < 5; step++)
        {
            for (int i = 0; i < fused.Length; i++)
            {
                Tensor g = randn(fused[i].shape, generator: generator);
                fused[i].grad = g.clone();
                reference[i].grad = g.clone();
            }

            double learningRate = 0.05 * (step + 1);
            fusedSgd.Step(learningRate);
            referenceSgd.Step(learningRate);
        }

        for (int i = 0; i < fused.Length; i++)
        {
            Assert.That(fused[i].data<float>().ToArray(), Is.EqualTo(reference[i].data<float>().ToArray()), $"parameter {i} ({fused[i].numel()} values)");
            Assert.That(fusedSgd.Momentum[i].data<float>().ToArray(), Is.EqualTo(referenceSgd.Momentum[i].data<float>().ToArray()), $"momentum {i}");
        }
    }

    [Test]
    public unsafe void Kernel_FollowsTheFormula_OnEveryPath_AndAnyThreadCount(
        [ValueSource(nameof(Kernels))] GramKernel kernel, [Values(1, 2)] int threads)
    {
        const float Lr = 0.1f, Mu = 0.9f, Wd = 1e-3f;
        var random = new Random(5);
        foreach (int length in Lengths)
        {
            float[] p = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            float[] g = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            float[] b = [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))];
            float[] expectedP = new float[length], expectedB = new float[length];
            for (int i = 0; i < length; i++)
            {
                float gd = MathF.FusedMultiplyAdd(p[i], Wd, g[i]);
                float product = b[i] * Mu;
                expectedB[i] = product + gd;
                float d = MathF.FusedMultiplyAdd(expectedB[i], Mu, gd);
                expectedP[i] = MathF.FusedMultiplyAdd(d, -Lr, p[i]);
            }

            float[] gradient = [.. g];
            fixed (float* pp = p, pg = g, pb = b)
            {
                NativeSgdTensor[] tensors = [new(pp, pg, pb, length)];
                SgdKernels.Step(tensors, new NativeSgdSettings(Lr, Mu, Wd, nesterov: true, kernel), threads);
            }

            Assert.That(p, Is.EqualTo(expectedP), $"parameters, length {length}");
            Assert.That(b, Is.EqualTo(expectedB), $"momentum, length {length}");
            Assert.That(g, Is.EqualTo(gradient), $"the gradient is not written, length {length}");
        }
    }

    [Test]
    public unsafe void GradientsFinite_FindsEveryNonFiniteValue_InAnyLane(
        [ValueSource(nameof(Kernels))] GramKernel kernel, [Values(1, 2)] int threads)
    {
        foreach (int length in Lengths)
        {
            float[] clean = [.. Enumerable.Range(0, length).Select(i => i % 3 == 0 ? float.MaxValue : -i * 0.5f)];
            Assert.That(Finite(clean, kernel, threads), Is.True, $"finite values, float.MaxValue among them, length {length}");
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                foreach (int at in new[] { 0, length / 2, length - 1 }.Distinct())
                {
                    float[] g = [.. clean];
                    g[at] = bad;
                    Assert.That(Finite(g, kernel, threads), Is.False, $"{bad} at {at} of {length}");
                }
            }
        }
    }

    [Test]
    public unsafe void Kernels_RefuseBadArguments_WithTheNativeMessage()
    {
        var p = new float[4];
        var g = new float[4];
        fixed (float* pp = p, pg = g)
        {
            NativeSgdTensor[] tensors = [new(pp, pg, null, 4)];
            AssertRefused(() => SgdKernels.Step(tensors, new NativeSgdSettings(0, 0.9, 0, false), 1), "abk_sgd_step: the learning rate must be finite and > 0");
            AssertRefused(() => SgdKernels.Step(tensors, new NativeSgdSettings(0.1, 1.0, 0, false), 1), "momentum must be in [0, 1)");
            AssertRefused(() => SgdKernels.Step(tensors, new NativeSgdSettings(0.1, 0, 0, true), 1), "1 needs momentum > 0");
            AssertRefused(() => SgdKernels.Step(tensors, new NativeSgdSettings(0.1, 0.9, 0, false), 1), "tensor 0's momentum buffer is null");
            NativeSgdTensor[] noGradient = [new(pp, null, null, 4)];
            AssertRefused(() => SgdKernels.GradientsFinite(noGradient, 1), "abk_gradients_finite: tensor 0's gradient is null");
            NativeSgdTensor[] negative = [new(pp, pg, null, -1)];
            AssertRefused(() => SgdKernels.GradientsFinite(negative, 1), "tensor 0 has length -1");
            AssertRefused(() => SgdKernels.GradientsFinite(tensors, 0), "threads must be 1..1024");
        }
    }

    private static unsafe bool Finite(float[] gradient, GramKernel kernel, int threads)
    {
        fixed (float* pg = gradient)
        {
            NativeSgdTensor[] tensors = [new(null, pg, null, gradient.Length)];
            return SgdKernels.GradientsFinite(tensors, threads, kernel);
        }
    }

    private static Tensor[] Parameters(int seed)
    {
        using var generator = new Generator((ulong)seed);
        return [.. Lengths.Select(n => randn([n], generator: generator).requires_grad_(true))];
    }

    private static void AssertRefused(TestDelegate call, string message) =>
        Assert.That(call, Throws.ArgumentException.With.Message.Contains(message));
}
