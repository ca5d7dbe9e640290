using AutoBatch.Engine.Models;
using AutoBatch.Engine.Models.Networks;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// The engine on a device other than the CPU. This build's LibTorch has no CUDA, so the device here is LibTorch's
/// <c>meta</c> device: tensors with shapes and no memory, on which every operation is computed by shape only and any
/// read of values fails. A job that reached our kernels (host memory only) with such a tensor, or read it, would fail
/// here; the decisions that keep them away (<see cref="HostTensors.Placement"/>) are checked on real device tensors.
/// What a device costs in transfers, and that CUDA itself is untested, is in docs/TORCHSHARP.md, 'Devices'.
/// </summary>
public sealed class DeviceTests
{
    private static readonly Device Meta = new("meta");

    [Test]
    public void Placement_IsOurKernelOnTheCpu_TheTensorOperationsOrAHostCopyElsewhere()
    {
        DeviceType[] devices = [.. Enum.GetValues<DeviceType>().Where(d => d != DeviceType.CPU)];
        Assert.Multiple(() =>
        {
            Assert.That(HostTensors.Placement(DeviceType.CPU, tensorOperations: true), Is.EqualTo(KernelPlacement.HostKernel));
            Assert.That(HostTensors.Placement(DeviceType.CPU, tensorOperations: false), Is.EqualTo(KernelPlacement.HostKernel));
            foreach (DeviceType device in devices)
            {
                Assert.That(HostTensors.Placement(device, tensorOperations: true), Is.EqualTo(KernelPlacement.TensorOperations), device.ToString());
                Assert.That(HostTensors.Placement(device, tensorOperations: false), Is.EqualTo(KernelPlacement.CopyToHost), device.ToString());
            }
        });
    }

    [Test]
    public void ATensorOnADevice_HasNoHostAddress_AndIsCopiedToTheHostForAKernel()
    {
        using var scope = NewDisposeScope();
        Tensor device = ones([3, 4], device: Meta);
        Tensor host = ones([3, 4]);

        Assert.Multiple(() =>
        {
            var refused = Assert.Throws<InvalidOperationException>(() => Address(device));
            Assert.That(refused!.Message, Does.Contain("host memory only"));
            Assert.That(Address(HostTensors.Host(host, ScalarType.Float32)), Is.EqualTo(Address(host)), "a host tensor is not copied");
            // The copy is asked of LibTorch (which cannot copy a meta tensor's absent values), not read from device memory.
            var copied = Assert.Catch(() => HostTensors.Host(device, ScalarType.Float32));
            Assert.That(copied!.Message, Does.Contain("meta").And.Not.Contain("host memory only"));
        });
    }

    [Test]
    public void TheOptimiserStep_OnADevice_TakesItsTensorOperations()
    {
        using var scope = NewDisposeScope();
        Tensor[] parameters = [randn([5, 3]).to(Meta).requires_grad_(true), randn([7]).to(Meta).requires_grad_(true)];
        var sgd = new NesterovSgd(parameters, SgdSettings.Paper);
        foreach (Tensor p in parameters)
        {
            p.grad = ones_like(p);
        }

        // Our kernel would be handed the parameters' addresses, which a device tensor refuses (HostAddress above).
        Assert.DoesNotThrow(() => sgd.Step(0.1));
        Assert.That(sgd.Momentum.Select(m => m.device_type), Is.All.EqualTo(DeviceType.META));
    }

    [Test]
    public void AConvLayersRows_OnADevice_AreNotFused_AndComeFromTensorOperationsByDefault()
    {
        var conv = new AutoBatch.Engine.Probe.Layers.ConvGeometry(4, 8, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.Multiple(() =>
        {
            Assert.That(LayerGrams.UsesDirectKernel(conv, ConvKernel.Auto, DeviceType.META), Is.False);
            Assert.That(LayerGrams.UsesDirectKernel(conv, ConvKernel.Unfold, DeviceType.META), Is.False);
            Assert.That(LayerGrams.UsesDirectKernel(conv, ConvKernel.Auto, DeviceType.CPU), Is.EqualTo(AutoBatch.Engine.Kernels.ProbeKernels.Avx512Available));
        });

        using var scope = NewDisposeScope();
        using var layer = new FusedConv2d(4, 8, 3, stride: 1, padding: 1);
        var site = new ProbeSite(ProbeSiteKind.Conv, "conv", layer);
        var options = new GramOptions(GramMode.Materialise, ConvKernel.Auto, GramKernel.Auto, 256L << 20, 1);
        var plan = new FusionPlan([site], batch: 16, options);

        Assert.That(plan.Admit(layer, zeros([16, 4, 9, 9], device: Meta)), Is.False);
        Assert.That(site.Fused, Is.False);
        if (AutoBatch.Engine.Kernels.ProbeKernels.Avx512Available)
        {
            Assert.That(plan.Admit(layer, zeros([16, 4, 9, 9])), Is.True, "the same layer on the host");
        }
    }

    [TestCase("mlp")]
    [TestCase("resnet8")]
    [TestCase("densenet8")]
    public void ANetwork_MovesWhole_AndItsBatchesGoWhereItIs(string model)
    {
        // TorchNetwork.Create moves the module as below and then runs it once, which LibTorch's meta device cannot (it
        // has no meta kernels for relu and conv2d), so the move is checked on the module.
        var spec = ModelSpec.Parse(model, new InputShape(1, 28, 28), 10);
        using nn.Module<Tensor, Tensor> module = NetworkFactory.Create(spec, seed: 1);
        module.to(Meta);
        using var scope = NewDisposeScope();
        Assert.Multiple(() =>
        {
            // Every parameter and buffer moved, the built-in networks' own convolutions included (whose move failed),
            // and a convolution's weight is the parameter its module registers (the one trained and checkpointed).
            Assert.That(module.parameters().Concat(module.buffers()).Select(t => t.device_type), Is.All.EqualTo(DeviceType.META));
            foreach (FusedConv2d conv in module.modules().OfType<FusedConv2d>())
            {
                Assert.That(conv.weight.Handle, Is.EqualTo(conv.named_parameters(recurse: false).Single().parameter.Handle));
            }

            Assert.That(HostTransfer.Images(new float[2 * spec.Input.Size], 2, spec.Input, Meta).device_type, Is.EqualTo(DeviceType.META));
            Assert.That(HostTransfer.Labels([1, 2], 10, Meta).device_type, Is.EqualTo(DeviceType.META));
        });
    }

    [Test]
    public void Cpu_IsTheDefault_AndCudaIsRefusedNamingTheSetting_WhenLibTorchHasNoCuda()
    {
        Engines.Require(EngineKind.TorchSharp, nameof(DeviceTests));
        Assume.That(cuda.is_available(), Is.False, "this LibTorch has CUDA");

        Assert.Multiple(() =>
        {
            Assert.That(EngineDevices.Check(" CPU ", "--device"), Is.EqualTo("cpu"));
            Assert.That(EngineDevices.Torch("cpu").type, Is.EqualTo(DeviceType.CPU));
            var cuda = Assert.Throws<UserInputException>(() => EngineDevices.Check("cuda:0", "--device"));
            Assert.That(cuda!.Message, Does.StartWith("--device: 'cuda:0' was asked for, but torch.cuda.is_available() is false"));
        });
    }

    private static unsafe IntPtr Address(Tensor t) => (IntPtr)HostTensors.Address(t);
}
