using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Runtime;

/// <summary>Process-wide settings of the TorchSharp engine: threads and the allocator.</summary>
public static partial class TorchRuntime
{
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;
    private static int _allocatorTuned;

    /// <summary>The version of the LibTorch TorchSharp runs on (e.g. 2.10.0).</summary>
    public static string LibTorchVersion => __version__;

    /// <summary>LibTorch's intra-op threads (MKL follows them).</summary>
    public static int Threads => get_num_threads();

    /// <summary>
    /// Sets LibTorch's intra-op threads, which MKL follows; there is no OpenBLAS in this build. Validated here because
    /// LibTorch aborts the process on 0. Also tunes glibc's allocator once (see <see cref="TuneAllocator"/>).
    /// </summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TuneAllocator();
        set_num_threads(threads);
    }

    /// <summary>
    /// Keeps glibc from returning large blocks to the kernel after every step: a training step frees and reallocates
    /// the same activation buffers, and with glibc's dynamic mmap threshold each reallocation can page-fault anew. A
    /// 32 MiB mmap threshold keeps such blocks in the heap, and a 256 MiB trim threshold bounds what the heap keeps: a
    /// larger threshold kept more memory resident for no speed, a smaller one cost speed (the figures are in
    /// docs/TORCHSHARP.md, 'Measured'). Process-wide, applied once.
    /// </summary>
    public static void TuneAllocator()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _allocatorTuned, 1) == 1)
        {
            return;
        }

        _ = MallOpt(MallocMmapThreshold, 32 << 20);
        _ = MallOpt(MallocTrimThreshold, 256 << 20);
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
