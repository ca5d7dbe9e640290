using System.Globalization;
using System.Text.Json;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Checkpoints;

/// <summary>
/// A checkpoint is one safetensors file: the model's parameters and buffers under their PyTorch names (so the file
/// also loads as plain weights), the SGD momentum buffers as <c>&lt;parameter&gt;.momentum_buffer</c>, and in the
/// metadata the trainer's state and the planner's state as JSON. It is written atomically (temporary file, flush
/// to disk, rename), so a crash at any moment leaves either the previous checkpoint or the new one.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Metadata key of the checkpoint format version.</summary>
    public const string VersionKey = "autobatch.checkpoint";

    /// <summary>Metadata key of the <see cref="TrainerState"/> JSON.</summary>
    public const string TrainerKey = "autobatch.trainer";

    /// <summary>Metadata key of the planner's JSON state.</summary>
    public const string PlannerKey = "autobatch.planner";

    /// <summary>The format version this build writes and reads.</summary>
    public const int Version = 1;

    private const string MomentumSuffix = ".momentum_buffer";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Whether a checkpoint tensor is the optimiser's (a momentum buffer) rather than the model's.</summary>
    internal static bool IsOptimiserTensor(string name) => name.EndsWith(MomentumSuffix, StringComparison.Ordinal);

    /// <summary>Writes a checkpoint of <paramref name="network"/> and <paramref name="trainer"/> to <paramref name="path"/>.</summary>
    public static void Save(
        string path, ITrainingNetwork network, TrainerState trainer, string? planner = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trainer);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata)
            {
                all[key] = value;
            }
        }

        all[VersionKey] = Version.ToString(CultureInfo.InvariantCulture);
        all[WeightsFile.FormatKey] = "pt";
        all[WeightsFile.ModelKey] = network.Spec.Name;
        all[WeightsFile.InputKey] = network.Spec.Input.ToString();
        all[WeightsFile.ClassesKey] = network.Spec.Classes.ToString(CultureInfo.InvariantCulture);
        all[TrainerKey] = JsonSerializer.Serialize(trainer, Json);
        if (planner is not null)
        {
            all[PlannerKey] = planner;
        }

        var tensors = new List<StateTensor>(network.GetState(StateSet.Model));
        tensors.AddRange(network.GetState(StateSet.Optimiser));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        SafeTensorsFile.Write(path, tensors, all);
    }

    /// <summary>
    /// Restores <paramref name="network"/>'s parameters, buffers and momentum from <paramref name="path"/> and returns
    /// the rest of the checkpoint. The network is left unchanged when the file does not match it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UserInputException">
    /// The file is not a checkpoint of this format version or of this model; the message names the file.
    /// </exception>
    public static Checkpoint Load(string path, ITrainingNetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.ReadMetadata(path);
        if (!metadata.TryGetValue(VersionKey, out string? version))
        {
            throw new UserInputException(path, $"not an AutoBatch checkpoint (no '{VersionKey}' entry in its metadata).");
        }

        if (version != Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new UserInputException(path, $"checkpoint format version {version}; this build reads version {Version}.");
        }

        if (metadata.TryGetValue(WeightsFile.ModelKey, out string? savedModel) && savedModel != network.Spec.Name)
        {
            throw new UserInputException(path, $"a checkpoint of the {savedModel} model; this run trains {network.Spec.Name}.");
        }

        TrainerState trainer = ParseTrainer(path, metadata);
        IReadOnlyList<StateTensor> tensors = SafeTensorsFile.Read(path);
        StateTensor[] momentum = tensors.Where(t => IsOptimiserTensor(t.Name)).ToArray();
        StateTensor[] model = tensors.Where(t => !IsOptimiserTensor(t.Name)).ToArray();

        // Both sets are checked against the network before either is written, so a bad file changes nothing.
        IReadOnlyList<StateTensor> oldModel = network.GetState(StateSet.Model);
        network.SetState(model, StateSet.Model, source: path);
        try
        {
            network.SetState(momentum, StateSet.Optimiser, source: path);
        }
        catch
        {
            network.SetState(oldModel, StateSet.Model, source: "the network's previous state");
            throw;
        }

        metadata.TryGetValue(PlannerKey, out string? planner);
        return new Checkpoint(trainer, planner, metadata);
    }

    private static TrainerState ParseTrainer(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(TrainerKey, out string? json))
        {
            throw new UserInputException(path, $"the checkpoint has no '{TrainerKey}' entry.");
        }

        try
        {
            return JsonSerializer.Deserialize<TrainerState>(json, Json)
                ?? throw new UserInputException(path, $"the '{TrainerKey}' entry is null.");
        }
        catch (JsonException e)
        {
            throw new UserInputException(path, $"the '{TrainerKey}' entry is not a valid trainer state: {e.Message}", e);
        }
    }
}
