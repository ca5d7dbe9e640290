using AutoBatch.Engine.Interop;

namespace AutoBatch.Engine.Runtime;

/// <summary>Process-wide settings of the native core.</summary>
public static class EngineRuntime
{
    /// <summary>
    /// Default intra-op threads: 1. On the 2-vCPU machines this project targets, a second intra-op thread made an MLP
    /// step slower, not faster (engine and PyTorch alike; docs/BENCHMARKS.md), and grids run one process per core
    /// anyway. OpenBLAS always gets one thread, because libtorch already
    /// parallelises around it; letting both spawn a thread per core oversubscribes the machine.
    /// </summary>
    public static int DefaultThreads => 1;

    /// <summary>Sets libtorch's intra-op threads and OpenBLAS's threads. Call before training.</summary>
    public static void SetThreads(int threads, int blasThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blasThreads, 1);
        NativeMethods.Check(NativeMethods.SetThreads(threads, blasThreads));
    }

    /// <summary>The intra-op thread count libtorch is using.</summary>
    public static int Threads
    {
        get
        {
            NativeMethods.Check(NativeMethods.GetThreads(out int threads));
            return threads;
        }
    }

    /// <summary>Version of the native ABI (major.minor).</summary>
    public static Version NativeVersion
    {
        get
        {
            NativeMethods.Check(NativeMethods.Version(out int major, out int minor));
            return new Version(major, minor);
        }
    }
}
