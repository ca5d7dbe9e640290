using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Interop;

/// <summary>P/Invoke declarations for Native/AbProbe.cpp.</summary>
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Library, EntryPoint = "ab_analyse_gram")]
    internal static partial NativeStatus AnalyseGram(double* gram, long batch, NativeProbeOptions* options, NativeProbeResult* result);

    [LibraryImport(Library, EntryPoint = "ab_probe_conv_gram")]
    internal static partial NativeStatus ProbeConvGram(
        NativeConvSpec* conv, float* input, long batch, long height, long width, float* delta, long deltaLength, NativeProbeOptions* options);

    [LibraryImport(Library, EntryPoint = "ab_row_gram")]
    internal static partial NativeStatus RowGram(void* rows, int elementBytes, long n, long k, int kernel, double* output);
}
