using AutoBatch.Engine.Runtime;

namespace AutoBatch.Engine.Tests;

/// <summary>
/// Keeps libtorch's intra-op thread count for the test process: tests that change it (to compare results on one and
/// several threads) restore it when the scope ends, whatever happens in between.
/// </summary>
internal sealed class EngineThreads : IDisposable
{
    private readonly int _before = EngineRuntime.Threads;

    private EngineThreads()
    {
    }

    public static EngineThreads Keep() => new();

    public void Dispose() => EngineRuntime.SetThreads(_before);
}
