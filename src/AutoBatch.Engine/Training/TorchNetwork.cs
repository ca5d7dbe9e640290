using System.Diagnostics;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Models.Networks;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Probe.Layers;
using AutoBatch.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Training;

/// <summary>
/// A model and its SGD state on TorchSharp: whole training steps, evaluations and state transfers, with the same
/// contract as the native <see cref="Network"/> it is to replace (same seeds give the same initial weights, the same
/// state names and order, the same SGD arithmetic). Every tensor a call creates lives in a dispose scope of that call.
/// Not thread-safe; dispose to free the tensors deterministically.
/// </summary>
public sealed class TorchNetwork : ITrainingNetwork
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TorchState _state;
    private readonly Tensor[] _parameters;
    private readonly NesterovSgd _sgd;
    private readonly ProbeHooks _hooks;
    private readonly bool _ownsModel;
    private BackgroundProbe? _pending;
    private bool _disposed;

    private TorchNetwork(nn.Module<Tensor, Tensor> model, ModelSpec spec, SgdSettings sgd, Device device, bool ownsModel = true)
    {
        _ownsModel = ownsModel;
        // First, so that a module the probe refuses leaves nothing allocated.
        _hooks = ProbeHooks.Attach(model);
        _model = model;
        Spec = spec;
        Device = device;
        IReadOnlyList<NamedTensor> entries = ModuleState.Collect(model);
        // Frozen parameters (requires_grad = false) are neither trained nor probed nor counted.
        _parameters = [.. entries.Where(s => s.IsParameter && s.Tensor.requires_grad).Select(s => s.Tensor)];
        _sgd = new NesterovSgd(_parameters, sgd);
        _state = new TorchState(entries, _sgd.Momentum);
        ParameterCount = _parameters.Sum(p => p.numel());
        ProbeLayerNames = [.. _hooks.Sites.Select(s => s.Name)];
    }

    /// <summary>The architecture.</summary>
    public ModelSpec Spec { get; }

    /// <summary>Where the tensors live.</summary>
    public Device Device { get; }

    /// <summary>The optimiser settings.</summary>
    public SgdSettings Sgd => _sgd.Settings;

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount { get; }

    /// <summary>Names of the probed layers (Linear, Conv2d, BatchNorm2d), in the order of per-layer traces.</summary>
    public IReadOnlyList<string> ProbeLayerNames { get; }

    /// <inheritdoc/>
    public bool ProbePending => _pending is not null;

    /// <summary>Builds a network with weights initialised from <paramref name="seed"/> (PyTorch's rule and order).</summary>
    public static TorchNetwork Create(ModelSpec spec, SgdSettings sgd, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sgd);
        device ??= CPU;
        nn.Module<Tensor, Tensor> model = NetworkFactory.Create(spec, seed);
        model.to(device);
        CheckOutputShape(model, spec, device);
        return new TorchNetwork(model, spec, sgd, device);
    }

    /// <summary>
    /// A network over a user's own module (any arrangement of Linear, Conv2d and BatchNorm2d layers with trainable
    /// parameters; other modules only without trainable parameters of their own, or frozen), taking ownership of it: it
    /// is moved to <paramref name="device"/> and disposed with the network (unless <paramref name="leaveOpen"/>: then
    /// only the network's own state and hooks go, and the module stays usable). Its weights are used as they are. A
    /// module the probe cannot decompose is refused here, naming its path and type.
    /// </summary>
    /// <param name="model">The module: inputs B x C x H x W, outputs B x classes logits.</param>
    /// <param name="name">A name for records and checkpoints; the spec's name adds the architecture's fingerprint.</param>
    /// <param name="input">The input shape (C x H x W).</param>
    /// <param name="classes">The number of classes (outputs).</param>
    /// <param name="sgd">The optimiser settings.</param>
    /// <param name="device">Where the tensors live (default CPU).</param>
    /// <param name="leaveOpen">Keep the module alive when the network is disposed (default false).</param>
    public static TorchNetwork Create(
        nn.Module<Tensor, Tensor> model, string name, InputShape input, int classes, SgdSettings sgd, Device? device = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sgd);
        device ??= CPU;
        ModelSpec spec = ModelSpec.Custom(name, ArchitectureFingerprint.Of(model), input, classes);
        model.to(device);
        CheckOutputShape(model, spec, device);
        return new TorchNetwork(model, spec, sgd, device, ownsModel: !leaveOpen);
    }

    /// <summary>
    /// One SGD step on a batch (<paramref name="x"/>: B x C x H x W normalised float32; <paramref name="y"/>: labels):
    /// mean cross-entropy, backward, and an update unless the loss or a gradient is non-finite. With
    /// <paramref name="probe"/> the same forward and backward also measure F̃ (synchronously, before the update).
    /// </summary>
    public StepResult TrainStep(
        ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, ProbeSettings? probe = null, bool withEigenvalues = false)
    {
        long start = Stopwatch.GetTimestamp();
        int batch = CheckBatch(x, y);
        if (!double.IsFinite(learningRate) || learningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number > 0.");
        }

        if (probe is { Background: true } && _pending is not null)
        {
            throw new InvalidOperationException("A background probe is still uncollected; call CollectProbe before the next probed step.");
        }

        probe?.Validate();

        using var scope = NewDisposeScope();
        Tensor input = Upload(x, batch);
        Tensor labels = UploadLabels(y);
        _model.train();
        // Dropping the gradients (rather than zero-filling them) lets the backward write them fresh.
        _model.zero_grad(set_to_none: true);
        try
        {
            Tensor logits = Forward(input, probe is null ? null : GramOptions.From(probe, TorchRuntime.Threads), batch);
            Tensor loss = nn.functional.cross_entropy(logits, labels);
            _hooks.Backward(loss, _parameters, probed: probe is not null);
            double lossValue = loss.item<float>();
            long correct = logits.argmax(1).eq(labels).sum().item<long>();
            bool finite = double.IsFinite(lossValue) && _sgd.GradientsFinite();
            ProbeReading? reading = null;
            bool pending = false;
            if (probe is not null && !finite)
            {
                reading = SpectrumAnalysis.Empty(ProbeStatus.NonFinite, batch, learningRate);
            }
            else if (probe is { Background: true })
            {
                LaunchProbe(batch, learningRate, probe, withEigenvalues);
                pending = true;
            }
            else if (probe is not null)
            {
                reading = RunProbe(batch, learningRate, probe, withEigenvalues, null);
            }

            if (finite)
            {
                _sgd.Step(learningRate);
            }

            return new StepResult(lossValue, correct, finite, Stopwatch.GetElapsedTime(start).TotalSeconds, reading) { ProbePending = pending };
        }
        finally
        {
            _hooks.Clear();
            ReturnedGradients.ReleasePrevious();
        }
    }

    /// <summary>
    /// Waits for the background probe of the last probed step (<see cref="StepResult.ProbePending"/>) and returns its
    /// reading, with the eigenvalues if that step asked for them.
    /// </summary>
    public ProbeReading CollectProbe()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        BackgroundProbe pending = _pending ?? throw new InvalidOperationException("No background probe is pending.");
        _pending = null;
        return pending.Collect();
    }

    /// <summary>
    /// Probes F̃ on a batch without changing the network (weights, gradients and BatchNorm running statistics are as
    /// before). <paramref name="trainMode"/> selects BatchNorm batch statistics (true) or running statistics (false).
    /// <paramref name="gram"/>, if given, receives F̃ row-major.
    /// </summary>
    public ProbeReading Probe(
        ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, bool trainMode, ProbeSettings settings, double[]? gram = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int batch = CheckBatch(x, y);
        if (gram is not null && gram.Length != batch * batch)
        {
            throw new ArgumentException($"The Gram buffer must hold B*B = {batch * batch} values, it holds {gram.Length}.", nameof(gram));
        }

        using var scope = NewDisposeScope();
        Tensor[] saved = _state.SaveBuffers();
        try
        {
            _model.train(trainMode);
            _model.zero_grad(set_to_none: true);
            _hooks.Backward(nn.functional.cross_entropy(Forward(Upload(x, batch), GramOptions.From(settings, TorchRuntime.Threads), batch), UploadLabels(y)), _parameters, probed: true);
            return RunProbe(batch, learningRate, settings, withEigenvalues: true, gram);
        }
        finally
        {
            _hooks.Clear();
            _model.zero_grad(set_to_none: true);
            _state.RestoreBuffers(saved);
            _model.train();
        }
    }

    /// <summary>Mean loss and correct count over a data set, in eval mode, in chunks of <paramref name="chunk"/> samples.</summary>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<long> y, int chunk = 1000)
    {
        int n = CheckBatch(x, y);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        using var noGrad = no_grad();
        _model.eval();
        double lossSum = 0;
        long correct = 0;
        int size = Spec.Input.Size;
        for (int first = 0; first < n; first += chunk)
        {
            int count = Math.Min(chunk, n - first);
            using var scope = NewDisposeScope();
            Tensor input = Upload(x.Slice(first * size, count * size), count);
            Tensor labels = UploadLabels(y.Slice(first, count));
            Tensor logits = _model.call(input);
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }

        _model.train();
        return new Evaluation(n, lossSum / n, correct);
    }

    /// <summary>
    /// Gradient of the mean batch loss (length P, parameters in state order), without an update and without moving the
    /// BatchNorm running statistics. <paramref name="trainMode"/> selects batch (true) or running statistics.
    /// </summary>
    public float[] BatchGradient(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode) => Gradients(x, y, trainMode, perSample: false);

    /// <summary>
    /// Per-sample gradients by brute force, one backward per sample (B x P, parameters in state order), without moving
    /// the BatchNorm running statistics. A reference for tests; never used in training.
    /// </summary>
    public float[] PerSampleGradients(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode) => Gradients(x, y, trainMode, perSample: true);

    /// <summary>Copies out the named state (parameters and buffers in state-dict order, or the optimiser's momentum).</summary>
    public IReadOnlyList<StateTensor> GetState(StateSet which = StateSet.Model)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _state.Get(which);
    }

    /// <summary>
    /// Loads named state. Every tensor of the network must be present with the same shape and dtype; extra or missing
    /// names are errors that list them. <paramref name="source"/> names the origin in error messages.
    /// </summary>
    public void SetState(IReadOnlyList<StateTensor> tensors, StateSet which = StateSet.Model, string source = "state")
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _state.Set(tensors, which, Spec.Name, source);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_pending is { } pending)
        {
            // Its reading is not wanted any more, but its tensors may only go once it has finished with them.
            _pending = null;
            pending.Abandon();
        }

        foreach (Tensor m in _sgd.Momentum)
        {
            m.Dispose();
        }

        _hooks.Dispose();
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    /// <summary>
    /// The model's forward; with <paramref name="probe"/> the hooks capture, and the fused convolutions that the plan
    /// admits will hand the probe their rows from the backward (the plan stays set until the step's hooks are cleared).
    /// </summary>
    private Tensor Forward(Tensor input, GramOptions? probe, int batch)
    {
        _hooks.Capturing = probe is not null;
        if (probe is not null)
        {
            _hooks.ArmFusion(new FusionPlan(_hooks.Sites, batch, probe));
        }

        try
        {
            return _model.call(input);
        }
        finally
        {
            _hooks.Capturing = false;
        }
    }

    private ProbeReading RunProbe(int batch, double learningRate, ProbeSettings settings, bool withEigenvalues, double[]? gram) =>
        ProbeRun.Run(_hooks.Sites, batch, learningRate, settings, TorchRuntime.Threads, withEigenvalues, gram);

    private void LaunchProbe(int batch, double learningRate, ProbeSettings settings, bool withEigenvalues) =>
        _pending = BackgroundProbe.Launch(_hooks.Sites, batch, learningRate, settings, TorchRuntime.Threads, withEigenvalues);

    /// <summary>
    /// Gradients of the mean loss of the whole batch, or of each sample alone, flattened over the trained parameters in
    /// state order, one row per backward; the BatchNorm buffers are put back as they were.
    /// </summary>
    private float[] Gradients(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode, bool perSample)
    {
        int batch = CheckBatch(x, y);
        using var scope = NewDisposeScope();
        Tensor[] saved = _state.SaveBuffers();
        Tensor input = Upload(x, batch), labels = UploadLabels(y);
        int rows = perSample ? batch : 1, size = perSample ? 1 : batch;
        var output = new float[rows * ParameterCount];
        try
        {
            _model.train(trainMode);
            for (int i = 0; i < rows; i++)
            {
                using var row = NewDisposeScope();
                _model.zero_grad(set_to_none: true);
                nn.functional.cross_entropy(_model.call(input.narrow(0, i * size, size)), labels.narrow(0, i * size, size)).backward();
                long offset = i * ParameterCount;
                foreach (Tensor p in _parameters)
                {
                    if (p.grad is { } g)
                    {
                        HostTransfer.Floats(g, output.AsSpan((int)offset, (int)p.numel()));
                    }

                    offset += p.numel();
                }
            }
        }
        finally
        {
            _model.zero_grad(set_to_none: true);
            _state.RestoreBuffers(saved);
            _model.train();
        }

        return output;
    }

    private Tensor Upload(ReadOnlySpan<float> x, int batch) => HostTransfer.Images(x, batch, Spec.Input, Device);

    private Tensor UploadLabels(ReadOnlySpan<long> y) => HostTransfer.Labels(y, Spec.Classes, Device);

    private int CheckBatch(ReadOnlySpan<float> x, ReadOnlySpan<long> y) =>
        _disposed ? throw new ObjectDisposedException(nameof(TorchNetwork)) : BatchShape.Check(x, y, Spec.Input);

    private static void CheckOutputShape(nn.Module<Tensor, Tensor> model, ModelSpec spec, Device device)
    {
        // Once, so that a spec the architecture cannot handle (an image too small for the strided stages) fails here.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        Tensor logits = model.call(zeros([1, spec.Input.Channels, spec.Input.Height, spec.Input.Width], device: device));
        if (logits.dim() != 2 || logits.shape[1] != spec.Classes)
        {
            throw new ArgumentException($"The {spec.Name} model's output is [{string.Join(", ", logits.shape)}], expected [1, {spec.Classes}].", nameof(spec));
        }

        model.train();
    }
}
