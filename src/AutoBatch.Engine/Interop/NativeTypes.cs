using System.Runtime.InteropServices;

namespace AutoBatch.Engine.Interop;

// Blittable mirrors of the structs in Native/AbApi.h; field order and types must match exactly.

internal enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    RuntimeError = 2,
    OutOfMemory = 3,
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeModelSpec
{
    public int Kind;
    public int InChannels;
    public int InHeight;
    public int InWidth;
    public int Classes;
    public int HiddenCount;
    public int* Hidden;
    public int ResNetUnits;
    public int ResNetBaseWidth;
    public int ResNetReluAfterAdd;
    public int DenseBlocks;
    public int* DenseLayers;
    public int* DenseGrowth;
    public int DenseInitChannels;
    public int DenseBottleneck;
    public double DenseCompression;
    public long Seed;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeOptimiserSpec
{
    public double Momentum;
    public double WeightDecay;
    public int Nesterov;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeProbeOptions
{
    public int GramMode;
    public long MemoryCapBytes;
    public double RankTolerance;
    public double* Eigenvalues;
    public double* Gram;
    public double* LayerTraces;
    public double* LayerSums;
    public long LayerTraceCapacity;
    public int ConvKernel;
    public int Background;
    public int GramKernel;
    public int* LayerPaths;
    public int ReferenceRule;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeConvSpec
{
    public int InChannels;
    public int OutChannels;
    public int KernelH;
    public int KernelW;
    public int StrideH;
    public int StrideW;
    public int PaddingH;
    public int PaddingW;
    public int DilationH;
    public int DilationW;
    public int HasBias;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeProbeResult
{
    public int Status;
    public int Rank;
    public double Trace;
    public double LambdaMax;
    public double LambdaMinPositive;
    public double Condition;
    public double MeanGradientSquaredNorm;
    public double VarianceTrace;
    public double NoiseScale;
    public double GramSeconds;
    public double EigenSeconds;
    public int FusedLayers;
    public double RowsSeconds;
    public int ReferenceRank;
    public double ReferenceLambdaMax;
    public double ReferenceLambdaMinPositive;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeStepResult
{
    public double Loss;
    public long Correct;
    public int Finite;
    public double Seconds;
}
