using System.Globalization;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Weights;

/// <summary>
/// Saves and loads a network's weights (parameters and buffers, PyTorch state_dict names, see docs/WEIGHTS.md) as
/// a safetensors file that PyTorch users can load into an equivalent <c>torch.nn.Module</c>.
/// </summary>
public static class WeightsFile
{
    /// <summary>Metadata key of the tensor layout convention; always <c>pt</c> (PyTorch state_dict).</summary>
    public const string FormatKey = "format";

    /// <summary>Metadata key of the model's canonical name (<see cref="Models.ModelSpec.Name"/>).</summary>
    public const string ModelKey = "autobatch.model";

    /// <summary>Metadata key of the input shape, e.g. <c>1x28x28</c>.</summary>
    public const string InputKey = "autobatch.input";

    /// <summary>Metadata key of the number of classes.</summary>
    public const string ClassesKey = "autobatch.classes";

    /// <summary>
    /// Writes the model state of <paramref name="network"/> to <paramref name="path"/> atomically. The metadata
    /// holds <paramref name="metadata"/> plus <see cref="FormatKey"/>, <see cref="ModelKey"/>,
    /// <see cref="InputKey"/> and <see cref="ClassesKey"/>, which take precedence over caller entries of the same key.
    /// </summary>
    public static void Save(ITrainingNetwork network, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata)
            {
                all[key] = value;
            }
        }

        all[FormatKey] = "pt";
        all[ModelKey] = network.Spec.Name;
        all[InputKey] = network.Spec.Input.ToString();
        all[ClassesKey] = network.Spec.Classes.ToString(CultureInfo.InvariantCulture);
        SafeTensorsFile.Write(path, network.GetState(StateSet.Model), all);
    }

    /// <summary>
    /// Loads the weights in <paramref name="path"/> into <paramref name="network"/>. Every tensor of the network
    /// must be in the file with the same dtype and shape, and nothing else may be, except that a training checkpoint
    /// (<see cref="Checkpoints.CheckpointFile"/>, the file every run keeps) gives its weights and its optimiser's
    /// momentum buffers are passed over.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UserInputException">
    /// The file is not valid safetensors, or its tensors do not match the network; the message names the file, the
    /// missing, unexpected or mismatched tensors and, when recorded, the model the file was saved from.
    /// </exception>
    public static void Load(ITrainingNetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        IReadOnlyList<StateTensor> tensors = SafeTensorsFile.Read(path);
        if (SafeTensorsFile.ReadMetadata(path).ContainsKey(Checkpoints.CheckpointFile.VersionKey))
        {
            tensors = tensors.Where(t => !Checkpoints.CheckpointFile.IsOptimiserTensor(t.Name)).ToArray();
        }

        try
        {
            network.SetState(tensors, StateSet.Model, source: path);
        }
        catch (UserInputException e)
        {
            string hint = Provenance(SafeTensorsFile.ReadMetadata(path), network);
            if (hint.Length == 0)
            {
                throw;
            }

            throw UserInputException.Naming(e.Input, e.Message + hint, e);
        }
    }

    /// <summary>
    /// What the file's metadata says about where it came from, where that differs from <paramref name="network"/>:
    /// the same model name with another input shape or class count (e.g. MLP weights of 1x28x28 images loaded for a
    /// 3x32x32 data set) otherwise only shows up as a puzzling tensor shape.
    /// </summary>
    private static string Provenance(IReadOnlyDictionary<string, string> metadata, ITrainingNetwork network)
    {
        string hint = string.Empty;
        if (metadata.TryGetValue(ModelKey, out string? model) && model != network.Spec.Name)
        {
            hint += $" The file was saved from the {model} model.";
        }

        if (metadata.TryGetValue(InputKey, out string? input) && input != network.Spec.Input.ToString())
        {
            hint += $" The file was saved for {input} input images; this network takes {network.Spec.Input}.";
        }

        string classes = network.Spec.Classes.ToString(CultureInfo.InvariantCulture);
        if (metadata.TryGetValue(ClassesKey, out string? saved) && saved != classes)
        {
            hint += $" The file was saved for {saved} classes; this network has {classes}.";
        }

        return hint;
    }
}
