namespace AutoBatch.Engine.Probe.Layers;

/// <summary>
/// Where a computation that our kernels (libautobatch_kernels, host memory only) can do runs for tensors on a given
/// device (<see cref="HostTensors.Placement"/>).
/// </summary>
internal enum KernelPlacement
{
    /// <summary>Our kernel, on the tensors' own memory (the tensors are on the CPU).</summary>
    HostKernel = 0,

    /// <summary>Tensor operations where the tensors are (a device, with a path of tensor operations for the job).</summary>
    TensorOperations = 1,

    /// <summary>Our kernel on host copies of the tensors (a device, and no path of tensor operations for the job).</summary>
    CopyToHost = 2,
}
