using AutoBatch.Engine.Data;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Runs;

/// <summary>
/// What a <see cref="RunSession"/> trains: the batches of the training and test sets and a way to build the network.
/// The command line's runs take theirs from <see cref="RunSettings"/> (a built-in model and data set); the library
/// supplies a user's own module and samples.
/// </summary>
public sealed record RunWorkload
{
    /// <summary>The training samples.</summary>
    public required IBatchSource Train { get; init; }

    /// <summary>The test samples (evaluated at the end of every epoch).</summary>
    public required IBatchSource Test { get; init; }

    /// <summary>Builds the network; called once per <see cref="RunSession.Execute"/>, which disposes it.</summary>
    public required Func<ITrainingNetwork> CreateNetwork { get; init; }

    /// <summary>
    /// The training set as the run's identity records it (its size and a fingerprint of its content), so that
    /// <c>--resume</c> refuses a checkpoint of a run on other data.
    /// </summary>
    public required string TrainingSet { get; init; }

    /// <summary>The augmentation the training batches get (recorded in the identity).</summary>
    public AugmentationKind Augmentation { get; init; }
}
