using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Interop;

/// <summary>P/Invoke declarations for Native/AbNet.cpp and Native/AbNetProbe.cpp.</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, EntryPoint = "ab_net_create")]
    internal static partial NativeStatus NetCreate(NativeModelSpec* model, NativeOptimiserSpec* optimiser, out IntPtr net);

    [LibraryImport(Library, EntryPoint = "ab_net_free")]
    internal static partial void NetFree(IntPtr net);

    [LibraryImport(Library, EntryPoint = "ab_net_parameter_count")]
    internal static partial NativeStatus NetParameterCount(NetworkHandle net, out long count);

    [LibraryImport(Library, EntryPoint = "ab_net_train_step")]
    internal static partial NativeStatus NetTrainStep(
        NetworkHandle net, float* x, long* y, long batch, double learningRate,
        NativeProbeOptions* probe, NativeStepResult* result, NativeProbeResult* probeResult);

    [LibraryImport(Library, EntryPoint = "ab_net_evaluate")]
    internal static partial NativeStatus NetEvaluate(
        NetworkHandle net, float* x, long* y, long n, long chunk, out double lossSum, out long correct);

    [LibraryImport(Library, EntryPoint = "ab_net_probe")]
    internal static partial NativeStatus NetProbe(
        NetworkHandle net, float* x, long* y, long batch, int trainMode, NativeProbeOptions* probe, NativeProbeResult* result);

    [LibraryImport(Library, EntryPoint = "ab_net_probe_collect")]
    internal static partial NativeStatus NetProbeCollect(NetworkHandle net, NativeProbeOptions* outputs, NativeProbeResult* result);

    [LibraryImport(Library, EntryPoint = "ab_net_probe_layer_count")]
    internal static partial NativeStatus NetProbeLayerCount(NetworkHandle net, out long count);

    [LibraryImport(Library, EntryPoint = "ab_net_probe_layer_name")]
    internal static partial NativeStatus NetProbeLayerName(NetworkHandle net, long index, byte* buffer, long capacity);

    [LibraryImport(Library, EntryPoint = "ab_net_per_sample_gradients")]
    internal static partial NativeStatus NetPerSampleGradients(
        NetworkHandle net, float* x, long* y, long batch, int trainMode, float* output, long capacity);

    [LibraryImport(Library, EntryPoint = "ab_net_batch_gradient")]
    internal static partial NativeStatus NetBatchGradient(
        NetworkHandle net, float* x, long* y, long batch, int trainMode, float* output, long capacity);

    [LibraryImport(Library, EntryPoint = "ab_net_state_count")]
    internal static partial NativeStatus NetStateCount(NetworkHandle net, int which, out long count);

    [LibraryImport(Library, EntryPoint = "ab_net_state_info")]
    internal static partial NativeStatus NetStateInfo(
        NetworkHandle net, int which, long index, byte* name, long nameCapacity, out int dtype,
        long* shape, int shapeCapacity, out int ndim, out long numel);

    [LibraryImport(Library, EntryPoint = "ab_net_state_get")]
    internal static partial NativeStatus NetStateGet(NetworkHandle net, int which, long index, void* data, long bytes);

    [LibraryImport(Library, EntryPoint = "ab_net_state_set")]
    internal static partial NativeStatus NetStateSet(NetworkHandle net, int which, long index, void* data, long bytes);
}
