using System.Runtime.InteropServices;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Kernels;

/// <summary>Blittable mirror of AbkSgdSettings (Native/KernelsApi.h); field order and types must match exactly.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeSgdSettings(double learningRate, double momentum, double weightDecay, bool nesterov, GramKernel kernel = GramKernel.Auto)
{
    public double LearningRate = learningRate;
    public double Momentum = momentum;
    public double WeightDecay = weightDecay;
    public int Nesterov = nesterov ? 1 : 0;
    public int Kernel = (int)kernel;
}
