using AutoBatch.Engine.Models;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Tests.Runtime;

/// <summary>
/// The device names every entry point accepts (<see cref="EngineDevices"/>), in a process on the native engine, which
/// runs on the CPU only; none of this loads TorchSharp's LibTorch.
/// </summary>
public sealed class EngineDevicesTests
{
    [TestCase("cpu", "cpu")]
    [TestCase(" CPU ", "cpu")]
    [TestCase("cuda", "cuda")]
    [TestCase("CUDA:0", "cuda:0")]
    [TestCase("cuda:01", "cuda:1")]
    public void ADevice_HasOneCanonicalName(string value, string expected) =>
        Assert.That(EngineDevices.Canonical(value, "--device"), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("gpu")]
    [TestCase("cuda:")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:x")]
    [TestCase("cuda:99999999999")]
    [TestCase("meta")]
    public void AnythingElse_IsRefusedNamingTheSetting(string value)
    {
        var error = Assert.Throws<UserInputException>(() => EngineDevices.Canonical(value, "--device"));
        Assert.That(error!.Message, Is.EqualTo($"--device: '{value}' is not a device; expected cpu, cuda or cuda:N."));
    }

    [Test]
    public void TheNativeEngine_TakesTheCpu_AndRefusesCudaNamingTheEngineVariable()
    {
        Assume.That(Engines.Current, Is.EqualTo(EngineKind.Native));
        Assert.That(EngineDevices.Check("cpu", "--device"), Is.EqualTo("cpu"));

        var error = Assert.Throws<UserInputException>(() => EngineDevices.Check("cuda:1", "Device"));

        Assert.That(error!.Message, Does.StartWith("Device: 'cuda:1' needs the TorchSharp engine").And.Contain("(AUTOBATCH_ENGINE=native) runs on the CPU only; unset AUTOBATCH_ENGINE"));
        Assert.That(
            () => Engines.CreateNetwork(ModelSpec.Parse("mlp:4", new InputShape(1, 4, 4), 2), SgdSettings.Paper, seed: 1, device: "cuda"),
            Throws.ArgumentException.With.Message.Contains("CPU only"));
    }
}
