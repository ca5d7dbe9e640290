using AutoBatch.Engine.Interop;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>
/// A model and its SGD state living in the native core. Each call is coarse: a whole training step (optionally
/// with the Fisher probe on the same forward/backward), a whole evaluation, a whole state transfer.
/// Not thread-safe; dispose to free native memory deterministically.
/// </summary>
public sealed class Network : ITrainingNetwork
{
    private readonly NetworkHandle _handle;
    private readonly string[] _probeLayerNames;

    /// <summary>AB_PROBE_PENDING: the step handed its probe to the network's probe thread.</summary>
    private const int PendingStatus = 3;

    private PendingProbe? _pending;

    private Network(NetworkHandle handle, ModelSpec spec, SgdSettings sgd)
    {
        _handle = handle;
        Spec = spec;
        Sgd = sgd;
        NativeMethods.Check(NativeMethods.NetParameterCount(_handle, out long count));
        ParameterCount = count;
        _probeLayerNames = ReadProbeLayerNames();
    }

    /// <summary>The architecture.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The optimiser settings.</summary>
    public SgdSettings Sgd { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount { get; }

    /// <summary>Names of the probed layers (Linear, Conv2d, BatchNorm), in the order of per-layer traces.</summary>
    public IReadOnlyList<string> ProbeLayerNames => _probeLayerNames;

    /// <summary>Builds a network with weights initialised from <paramref name="seed"/>.</summary>
    public static unsafe Network Create(ModelSpec spec, SgdSettings sgd, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sgd);
        int[] hidden = spec.Hidden.ToArray();
        int[] layers = spec.DenseLayers.ToArray();
        int[] growth = spec.DenseGrowth.ToArray();
        fixed (int* h = hidden)
        fixed (int* l = layers)
        fixed (int* g = growth)
        {
            var model = new NativeModelSpec
            {
                Kind = (int)spec.Kind,
                InChannels = spec.Input.Channels,
                InHeight = spec.Input.Height,
                InWidth = spec.Input.Width,
                Classes = spec.Classes,
                HiddenCount = hidden.Length,
                Hidden = h,
                ResNetUnits = spec.ResNetUnits,
                ResNetBaseWidth = spec.ResNetBaseWidth,
                ResNetReluAfterAdd = spec.ReluAfterAdd ? 1 : 0,
                DenseBlocks = layers.Length,
                DenseLayers = l,
                DenseGrowth = g,
                DenseInitChannels = spec.DenseInitChannels,
                DenseBottleneck = spec.DenseBottleneck ? 1 : 0,
                DenseCompression = spec.DenseCompression,
                Seed = seed,
            };
            var optimiser = new NativeOptimiserSpec
            {
                Momentum = sgd.Momentum,
                WeightDecay = sgd.WeightDecay,
                Nesterov = sgd.Nesterov ? 1 : 0,
            };
            NativeMethods.Check(NativeMethods.NetCreate(&model, &optimiser, out IntPtr pointer));
            return new Network(NetworkHandle.FromPointer(pointer), spec, sgd);
        }
    }

    /// <summary>
    /// One SGD step on a batch (<paramref name="x"/>: B x C x H x W normalised float32; <paramref name="y"/>: labels).
    /// With <paramref name="probe"/> the same forward/backward also measures F̃.
    /// </summary>
    public unsafe StepResult TrainStep(
        ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, ProbeSettings? probe = null, bool withEigenvalues = false)
    {
        int batch = CheckBatch(x, y);
        if (!double.IsFinite(learningRate) || learningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number > 0.");
        }

        // Buffers only for probed steps: a plain step allocates nothing.
        double[]? traces = probe is null ? null : new double[_probeLayerNames.Length];
        double[]? eigen = withEigenvalues && probe is not null ? new double[batch] : null;
        NativeStepResult step;
        NativeProbeResult reading;
        fixed (float* px = x)
        fixed (long* py = y)
        fixed (double* pt = traces)
        fixed (double* pe = eigen)
        {
            if (probe is null)
            {
                NativeMethods.Check(NativeMethods.NetTrainStep(_handle, px, py, batch, learningRate, null, &step, null));
                return new StepResult(step.Loss, step.Correct, step.Finite != 0, step.Seconds, null);
            }

            if (probe.Background && _pending is not null)
            {
                throw new InvalidOperationException("A background probe is still uncollected; call CollectProbe before the next probed step.");
            }

            NativeProbeOptions options = ToNative(probe, pe, null, pt, null);
            options.Background = probe.Background ? 1 : 0;
            NativeMethods.Check(NativeMethods.NetTrainStep(_handle, px, py, batch, learningRate, &options, &step, &reading));
        }

        if (reading.Status == PendingStatus)
        {
            _pending = new PendingProbe(probe, batch, learningRate, withEigenvalues);
            return new StepResult(step.Loss, step.Correct, step.Finite != 0, step.Seconds, null) { ProbePending = true };
        }

        return new StepResult(step.Loss, step.Correct, step.Finite != 0, step.Seconds, ToReading(reading, probe, batch, learningRate, traces, null, eigen));
    }

    /// <summary>Whether a background probe was launched and not yet collected.</summary>
    public bool ProbePending => _pending is not null;

    /// <summary>
    /// Waits for the background probe of the last probed step (<see cref="StepResult.ProbePending"/>) and returns its
    /// reading, with the eigenvalues if that step asked for them.
    /// </summary>
    public unsafe ProbeReading CollectProbe()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        PendingProbe pending = _pending ?? throw new InvalidOperationException("No background probe is pending.");
        var traces = new double[_probeLayerNames.Length];
        double[]? eigen = pending.WithEigenvalues ? new double[pending.Batch] : null;
        NativeProbeResult reading;
        fixed (double* pt = traces)
        fixed (double* pe = eigen)
        {
            var outputs = new NativeProbeOptions { Eigenvalues = pe, LayerTraces = pt, LayerTraceCapacity = traces.Length };
            // Whatever the outcome, the native side has let go of the probe.
            _pending = null;
            NativeMethods.Check(NativeMethods.NetProbeCollect(_handle, &outputs, &reading));
        }

        return ToReading(reading, pending.Settings, pending.Batch, pending.LearningRate, traces, null, eigen);
    }

    /// <summary>Mean loss and correct count over a data set, in eval mode, in chunks of <paramref name="chunk"/> samples.</summary>
    public unsafe Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<long> y, int chunk = 1000)
    {
        int n = CheckBatch(x, y);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        fixed (float* px = x)
        fixed (long* py = y)
        {
            NativeMethods.Check(NativeMethods.NetEvaluate(_handle, px, py, n, chunk, out double lossSum, out long correct));
            return new Evaluation(n, lossSum / n, correct);
        }
    }

    /// <summary>
    /// Probes F̃ on a batch without changing the network. <paramref name="trainMode"/> selects BatchNorm batch
    /// statistics (true) or running statistics (false). <paramref name="gram"/>, if given, receives F̃ row-major.
    /// </summary>
    public unsafe ProbeReading Probe(
        ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, bool trainMode, ProbeSettings settings, double[]? gram = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int batch = CheckBatch(x, y);
        if (gram is not null && gram.Length != batch * batch)
        {
            throw new ArgumentException($"The Gram buffer must hold B*B = {batch * batch} values, it holds {gram.Length}.", nameof(gram));
        }

        var traces = new double[_probeLayerNames.Length];
        var sums = new double[_probeLayerNames.Length];
        var paths = new int[_probeLayerNames.Length];
        var eigen = new double[batch];
        NativeProbeResult reading;
        fixed (float* px = x)
        fixed (long* py = y)
        fixed (double* pt = traces)
        fixed (double* ps = sums)
        fixed (int* pp = paths)
        fixed (double* pe = eigen)
        fixed (double* pg = gram)
        {
            NativeProbeOptions options = ToNative(settings, pe, pg, pt, ps);
            options.LayerPaths = pp;
            NativeMethods.Check(NativeMethods.NetProbe(_handle, px, py, batch, trainMode ? 1 : 0, &options, &reading));
        }

        ProbeReading result = ToReading(reading, settings, batch, learningRate, traces, sums, eigen);
        return reading.Status is (int)ProbeStatus.Ok or (int)ProbeStatus.Zero
            ? result with { LayerPaths = [.. paths.Select(p => (LayerPath)p)] }
            : result;
    }

    /// <summary>Per-sample gradients by one backward per sample (B x P, parameters in state order). Reference only.</summary>
    public unsafe float[] PerSampleGradients(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode)
    {
        int batch = CheckBatch(x, y);
        var output = new float[checked(batch * ParameterCount)];
        fixed (float* px = x)
        fixed (long* py = y)
        fixed (float* po = output)
        {
            NativeMethods.Check(NativeMethods.NetPerSampleGradients(_handle, px, py, batch, trainMode ? 1 : 0, po, output.Length));
        }

        return output;
    }

    /// <summary>Gradient of the mean batch loss (length P, parameters in state order), without an update.</summary>
    public unsafe float[] BatchGradient(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode)
    {
        int batch = CheckBatch(x, y);
        var output = new float[ParameterCount];
        fixed (float* px = x)
        fixed (long* py = y)
        fixed (float* po = output)
        {
            NativeMethods.Check(NativeMethods.NetBatchGradient(_handle, px, py, batch, trainMode ? 1 : 0, po, output.Length));
        }

        return output;
    }

    /// <summary>Copies out the named state (parameters and buffers, or optimiser momentum).</summary>
    public unsafe IReadOnlyList<StateTensor> GetState(StateSet which = StateSet.Model)
    {
        NativeMethods.Check(NativeMethods.NetStateCount(_handle, (int)which, out long count));
        var result = new List<StateTensor>((int)count);
        for (long i = 0; i < count; i++)
        {
            (string name, StateDType dtype, long[] shape, long numel) = StateInfo(which, i);
            var data = new byte[numel * (dtype == StateDType.Int64 ? 8 : 4)];
            fixed (byte* p = data)
            {
                NativeMethods.Check(NativeMethods.NetStateGet(_handle, (int)which, i, p, data.Length));
            }

            result.Add(new StateTensor(name, dtype, shape, data));
        }

        return result;
    }

    /// <summary>
    /// Loads named state. Every tensor of the network must be present with the same shape and dtype; extra or
    /// missing names are errors that list them. <paramref name="source"/> names the origin in error messages.
    /// </summary>
    public unsafe void SetState(IReadOnlyList<StateTensor> tensors, StateSet which = StateSet.Model, string source = "state")
    {
        ArgumentNullException.ThrowIfNull(tensors);
        NativeMethods.Check(NativeMethods.NetStateCount(_handle, (int)which, out long count));
        var slots = new List<StateMatch.Slot>();
        for (long i = 0; i < count; i++)
        {
            (string name, StateDType dtype, long[] shape, _) = StateInfo(which, i);
            slots.Add(new StateMatch.Slot(name, dtype, shape));
        }

        List<(int Index, StateTensor Tensor)> expected = StateMatch.Match(tensors, slots, Spec.Name, source);
        foreach ((int index, StateTensor t) in expected)
        {
            fixed (byte* p = t.Data)
            {
                NativeMethods.Check(NativeMethods.NetStateSet(_handle, (int)which, index, p, t.Data.Length));
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _pending = null;
        _handle.Dispose();
    }

    private int CheckBatch(ReadOnlySpan<float> x, ReadOnlySpan<long> y)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return BatchShape.Check(x, y, Spec.Input);
    }

    private unsafe NativeProbeOptions ToNative(ProbeSettings settings, double* eigen, double* gram, double* traces, double* sums) =>
        ToNative(settings, eigen, gram, traces, sums, _probeLayerNames.Length);

    internal static unsafe NativeProbeOptions ToNative(ProbeSettings settings, double* eigen, double* gram, double* traces, double* sums, int layers)
    {
        settings.Validate();
        return new NativeProbeOptions
        {
            GramMode = (int)settings.Mode,
            MemoryCapBytes = settings.MemoryCapBytes,
            RankTolerance = settings.RankTolerance ?? 0,
            Eigenvalues = eigen,
            Gram = gram,
            LayerTraces = traces,
            LayerSums = sums,
            LayerTraceCapacity = layers,
            ConvKernel = (int)settings.ConvKernel,
            GramKernel = (int)settings.GramKernel,
            ReferenceRule = settings.AppliesReferenceRule ? 1 : 0,
        };
    }

    internal static ProbeReading ToReading(
        in NativeProbeResult r, ProbeSettings settings, int batch, double learningRate, double[]? traces, double[]? sums, double[]? eigen) => new ProbeReading
    {
        Status = (ProbeStatus)r.Status,
        BatchSize = batch,
        LearningRate = learningRate,
        Rank = r.Rank,
        Trace = r.Trace,
        LambdaMax = r.LambdaMax,
        LambdaMinPositive = r.LambdaMinPositive,
        StepCondition = r.Condition,
        MeanGradientSquaredNorm = r.MeanGradientSquaredNorm,
        VarianceTrace = r.VarianceTrace,
        NoiseScale = r.NoiseScale,
        GramSeconds = r.GramSeconds,
        EigenSeconds = r.EigenSeconds,
        FusedLayers = r.FusedLayers,
        RowsSeconds = r.RowsSeconds,
        LayerTraces = traces,
        LayerGradientSums = sums,
        Eigenvalues = eigen,
    }.UnderRule(settings, settings.AppliesReferenceRule
        ? new RuleMeasure(RankRule.Reference, r.ReferenceRank, r.ReferenceLambdaMax, r.ReferenceLambdaMinPositive)
        : null);

    private unsafe (string Name, StateDType DType, long[] Shape, long Numel) StateInfo(StateSet which, long index)
    {
        byte* name = stackalloc byte[512];
        long* shape = stackalloc long[8];
        NativeMethods.Check(NativeMethods.NetStateInfo(_handle, (int)which, index, name, 512, out int dtype, shape, 8, out int ndim, out long numel));
        var dims = new long[ndim];
        for (int d = 0; d < ndim; d++)
        {
            dims[d] = shape[d];
        }

        return (new string((sbyte*)name), (StateDType)dtype, dims, numel);
    }

    private unsafe string[] ReadProbeLayerNames()
    {
        NativeMethods.Check(NativeMethods.NetProbeLayerCount(_handle, out long count));
        var names = new string[count];
        byte* buffer = stackalloc byte[512];
        for (long i = 0; i < count; i++)
        {
            NativeMethods.Check(NativeMethods.NetProbeLayerName(_handle, i, buffer, 512));
            names[i] = new string((sbyte*)buffer);
        }

        return names;
    }

    private sealed record PendingProbe(ProbeSettings Settings, int Batch, double LearningRate, bool WithEigenvalues);
}
