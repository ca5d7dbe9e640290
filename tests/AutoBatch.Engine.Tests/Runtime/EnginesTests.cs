using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests.Runtime;

/// <summary>Selecting the engine in process, as the library does, in a process that uses the native engine.</summary>
public sealed class EnginesTests
{
    [Test]
    public void TheTorchSharpEngine_IsRefused_OnceTheNativeOneIsLoaded()
    {
        _ = EngineRuntime.Threads;  // the native library is loaded (these tests' set-up has done so already)

        var error = Assert.Throws<InvalidOperationException>(() => Engines.Require(EngineKind.TorchSharp, "the library"));

        Assert.That(error!.Message, Does.StartWith("the library needs the TorchSharp engine, but this process already uses the Native engine;"));
        Assert.That(() => Engines.Require(EngineKind.Native, "the command line"), Throws.Nothing);
        Assert.That(Engines.Current, Is.EqualTo(EngineKind.Native));
    }
}
