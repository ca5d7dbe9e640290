namespace AutoBatch.Engine.Kernels;

/// <summary>The status every export of libautobatch_kernels returns (AbkStatus in Native/KernelsApi.h).</summary>
internal enum KernelStatus
{
    Ok = 0,
    InvalidArgument = 1,
    RuntimeError = 2,
    OutOfMemory = 3,

    /// <summary>The kernel needs what this machine lacks (AVX-512F, LAPACK), or declines the input.</summary>
    NotAvailable = 4,
}
