using System.Text.Json.Serialization;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Beacons.Grid;

/// <summary>
/// A beacon grid: batch sizes x learning rates x seeds of one model on one data set, each run for the
/// same epochs with the same measurement interval.
/// </summary>
public sealed record GridSpec
{
    /// <summary>Model name (ModelSpec.Parse).</summary>
    public required string Model { get; init; }

    /// <summary>Data set.</summary>
    public required DataSetKind Data { get; init; }

    /// <summary>Batch sizes.</summary>
    public required IReadOnlyList<int> BatchSizes { get; init; }

    /// <summary>Initial learning rates.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Seeds.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Epochs per run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Probe interval in iterations.</summary>
    public required int ProbeInterval { get; init; }

    /// <summary>Training subset size (null: the whole training set).</summary>
    public int? TrainSubset { get; init; }

    /// <summary>
    /// The rank rule the runs' C̄_K are measured under (absent in grids and maps written before it was an option:
    /// tolerance). A map built from the grid records the rule its measures are under, which may be the other one when
    /// <see cref="BothRankRules"/> held.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public RankRule RankRule { get; init; }

    /// <summary>Whether the runs' probes also applied the other rank rule, so that a map can be built under either.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool BothRankRules { get; init; }

    /// <summary>All runs in canonical order: seed-major, then batch size, then learning rate.</summary>
    public IReadOnlyList<RunKey> Runs() =>
        (from seed in Seeds
         from b in BatchSizes
         from lr in LearningRates
         select new RunKey(b, lr, seed)).ToArray();

    /// <summary>
    /// Throws <see cref="UserInputException"/> when <see cref="Model"/> is not a model this build knows (checked apart
    /// from <see cref="Validate"/>: a map of an unknown model gets MapCompatibility's own message when it is read).
    /// The input is named as in the grid's JSON (<c>model</c>); the command line renames it to its option.
    /// </summary>
    public void ValidateModel()
    {
        try
        {
            // Any valid shape checks the name (the network is built for the data set's shape when a run starts).
            AutoBatch.Engine.Models.ModelSpec.Parse(Model, new AutoBatch.Engine.Models.InputShape(1, 28, 28), 10);
        }
        catch (ArgumentException e)
        {
            throw new UserInputException(ModelField, e.Message, e);
        }
    }

    /// <summary>
    /// Throws <see cref="UserInputException"/> naming what is wrong; the input is named as the grid's JSON field
    /// (<c>batchSizes</c>, ...), which the command line renames to its option.
    /// </summary>
    public void Validate()
    {
        if (BatchSizes.Count == 0 || BatchSizes.Any(b => b < 1))
        {
            throw new UserInputException(BatchSizesField, "at least one batch size, each >= 1.");
        }

        if (LearningRates.Count == 0 || LearningRates.Any(a => !(a > 0) || !double.IsFinite(a)))
        {
            throw new UserInputException(LearningRatesField, "at least one learning rate, each a finite number > 0.");
        }

        if (Seeds.Count == 0)
        {
            throw new UserInputException(SeedsField, "at least one seed.");
        }

        Distinct(BatchSizes, BatchSizesField);
        Distinct(LearningRates, LearningRatesField);
        Distinct(Seeds, SeedsField);
        if (Epochs < 1)
        {
            throw new UserInputException(EpochsField, "must be >= 1.");
        }

        if (ProbeInterval < 1)
        {
            throw new UserInputException(ProbeIntervalField, "a beacon run needs the probe; must be >= 1.");
        }

        if (TrainSubset is < 1)
        {
            throw new UserInputException(TrainSubsetField, "must be >= 1.");
        }
    }

    /// <summary>The JSON name of <see cref="Model"/>, as validation messages name it.</summary>
    public const string ModelField = "model";

    /// <summary>The JSON name of <see cref="BatchSizes"/>, as validation messages name it.</summary>
    public const string BatchSizesField = "batchSizes";

    /// <summary>The JSON name of <see cref="LearningRates"/>, as validation messages name it.</summary>
    public const string LearningRatesField = "learningRates";

    /// <summary>The JSON name of <see cref="Seeds"/>, as validation messages name it.</summary>
    public const string SeedsField = "seeds";

    /// <summary>The JSON name of <see cref="Epochs"/>, as validation messages name it.</summary>
    public const string EpochsField = "epochs";

    /// <summary>The JSON name of <see cref="ProbeInterval"/>, as validation messages name it.</summary>
    public const string ProbeIntervalField = "probeInterval";

    /// <summary>The JSON name of <see cref="TrainSubset"/>, as validation messages name it.</summary>
    public const string TrainSubsetField = "trainSubset";

    private static void Distinct<T>(IReadOnlyList<T> values, string field)
    {
        if (values.Distinct().Count() != values.Count)
        {
            throw new UserInputException(field, "must not repeat a value.");
        }
    }
}
