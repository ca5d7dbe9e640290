using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>One LibTorch thread for the TorchSharp engine's tests, as the native engine's tests run on one.</summary>
[SetUpFixture]
public sealed class TorchThreads
{
    [OneTimeSetUp]
    public void OneThread() => TorchRuntime.SetThreads(1);
}
