using AutoBatch.Engine.Runtime;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>One LibTorch thread for the library's tests, as the other test projects run on one.</summary>
[SetUpFixture]
public sealed class TorchThreads
{
    [OneTimeSetUp]
    public void OneThread() => TorchRuntime.SetThreads(1);
}
