using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Interop;

/// <summary>P/Invoke declarations for Native/AbRuntime.cpp.</summary>
internal static partial class NativeMethods
{
    internal const string Library = "autobatch_native";

    [LibraryImport(Library, EntryPoint = "ab_last_error")]
    internal static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "ab_version")]
    internal static partial NativeStatus Version(out int major, out int minor);

    [LibraryImport(Library, EntryPoint = "ab_set_threads")]
    internal static partial NativeStatus SetThreads(int intraOpThreads, int blasThreads);

    [LibraryImport(Library, EntryPoint = "ab_get_threads")]
    internal static partial NativeStatus GetThreads(out int intraOpThreads);

    /// <summary>Turns a native status into a typed exception carrying the native message.</summary>
    internal static void Check(NativeStatus status)
    {
        if (status == NativeStatus.Ok)
        {
            return;
        }

        string message = Marshal.PtrToStringUTF8(LastError()) ?? "unknown native error";
        throw status switch
        {
            NativeStatus.InvalidArgument => new ArgumentException(message),
            NativeStatus.OutOfMemory => new InsufficientMemoryException(message),
            _ => new EngineException(message),
        };
    }
}
