using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests;

/// <summary>
/// These are the native engine's tests (the reference the TorchSharp engine is measured against; its own tests are in
/// AutoBatch.Engine.Torch.Tests): the process is on the native engine whatever the default, before any test runs.
/// </summary>
[SetUpFixture]
public sealed class NativeEngine
{
    [OneTimeSetUp]
    public void UseTheNativeEngine() => Engines.Require(EngineKind.Native, "the native engine's tests");
}
