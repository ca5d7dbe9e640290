using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Engine.Training;

/// <summary>
/// A model and its SGD state on one of the engines (<see cref="Runtime.EngineKind"/>): whole training steps (optionally
/// probed), evaluations, standalone probes and state transfers. What the trainer, checkpoints, weights files and the
/// verbs need, whichever engine computes it.
/// </summary>
public interface ITrainingNetwork : IDisposable
{
    /// <summary>The architecture.</summary>
    ModelSpec Spec { get; }

    /// <summary>Number of trainable parameters.</summary>
    long ParameterCount { get; }

    /// <summary>Names of the probed layers, in the order of per-layer traces.</summary>
    IReadOnlyList<string> ProbeLayerNames { get; }

    /// <summary>Whether a background probe was launched and not yet collected.</summary>
    bool ProbePending { get; }

    /// <summary>
    /// One SGD step on a batch (B x C x H x W normalised float32, labels); with <paramref name="probe"/> the same
    /// forward/backward also measures F̃ (in the background when the settings say so: see <see cref="CollectProbe"/>).
    /// </summary>
    StepResult TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, ProbeSettings? probe = null, bool withEigenvalues = false);

    /// <summary>Waits for the background probe of the last probed step and returns its reading.</summary>
    ProbeReading CollectProbe();

    /// <summary>Mean loss and correct count over a data set, in eval mode, in chunks.</summary>
    Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<long> y, int chunk = 1000);

    /// <summary>Probes F̃ on a batch without changing the network; <paramref name="gram"/> receives F̃ if given.</summary>
    ProbeReading Probe(ReadOnlySpan<float> x, ReadOnlySpan<long> y, double learningRate, bool trainMode, ProbeSettings settings, double[]? gram = null);

    /// <summary>Per-sample gradients by one backward per sample (B x P): a reference for tests and benchmarks only.</summary>
    float[] PerSampleGradients(ReadOnlySpan<float> x, ReadOnlySpan<long> y, bool trainMode);

    /// <summary>Copies out the named state (parameters and buffers, or the optimiser's momentum).</summary>
    IReadOnlyList<StateTensor> GetState(StateSet which = StateSet.Model);

    /// <summary>Loads named state; mismatches are refused naming <paramref name="source"/> and the tensors.</summary>
    void SetState(IReadOnlyList<StateTensor> tensors, StateSet which = StateSet.Model, string source = "state");
}
