using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Runs;

/// <summary>
/// The settings that decide a run's result, keyed by the option that sets each, as stored in the run's checkpoints:
/// <c>--resume</c> continues a run only under the settings it started with. Without this check a resumed run with
/// another α, subset, data set, probe interval or map trained its remaining epochs under those, and its records and
/// summary described neither run. Threads, the background probe and checkpoint frequency are left out: they do not
/// change what is computed (threads change the last bits only; reproducibility is promised per thread count only).
/// </summary>
internal static class RunIdentity
{
    /// <summary>Checkpoint metadata key of the identity (a JSON object of option → value).</summary>
    public const string MetadataKey = "autobatch.run";

    /// <summary>The identity of a run with these settings, policy, (subset) training set and augmentation.</summary>
    public static SortedDictionary<string, string> Of(RunSettings s, IBatchPolicy policy, ImageDataSet train, AugmentationKind augmentation) =>
        Of(s, policy, TrainingSet(train), augmentation);

    /// <summary>How the identity records a training set: its size and a fingerprint of its pixels and labels.</summary>
    public static string TrainingSet(ImageDataSet train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Invariant($"training set of {train.Count} images, content {Fingerprint(train.Pixels, train.Labels)}");
    }

    /// <summary>How the identity records a library user's samples: their count and a fingerprint of their values and labels.</summary>
    public static string TrainingSet(InMemoryBatchSource train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Invariant(
            $"training set of {train.Count} samples, content {Fingerprint(System.Runtime.InteropServices.MemoryMarshal.AsBytes(train.Samples).ToArray(), System.Runtime.InteropServices.MemoryMarshal.AsBytes(train.Labels).ToArray())}");
    }

    /// <summary>The identity of a run with these settings, policy, training set (<see cref="TrainingSet(ImageDataSet)"/>) and augmentation.</summary>
    public static SortedDictionary<string, string> Of(RunSettings s, IBatchPolicy policy, string trainingSet, AugmentationKind augmentation)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(trainingSet);
        var identity = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["--model"] = s.Model,
            ["--data"] = s.Data.ToString(),
            ["--data-path"] = trainingSet,
            ["--train-subset"] = s.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all",
            ["--no-augmentation"] = augmentation.ToString(),
            ["--batch-size"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["--lr"] = s.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["--lr-rule"] = s.Rule.ToString(),
            ["--epochs"] = s.Epochs.ToString(CultureInfo.InvariantCulture),
            ["--seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
            ["--probe-interval"] = s.ProbeInterval.ToString(CultureInfo.InvariantCulture),
            ["--schedule"] = policy.Settings,
            ["--rollback"] = s.RollbackOnDivergence
                ? Invariant($"on, α x {s.DivergenceCut:R}, at most {s.MaxRollbacks}")
                : "off",
        };
        // Added only off their defaults, so that checkpoints written before these options still resume.
        if (s.RankRule != RankRule.Tolerance)
        {
            identity["--rank-rule"] = s.RankRule.ToString();
        }

        if (s.BothRankRules)
        {
            identity["--both-rank-rules"] = "on";
        }

        if (s.MapPath is { } map && !string.IsNullOrWhiteSpace(map))
        {
            identity["--map"] = Invariant($"content {Fingerprint(File.ReadAllBytes(map))}");
        }

        return identity;
    }

    /// <summary>The identity as stored in checkpoint metadata.</summary>
    public static string ToJson(SortedDictionary<string, string> identity) => JsonSerializer.Serialize(identity);

    /// <summary>
    /// Throws when the checkpoint's metadata holds an identity that differs from <paramref name="current"/>, naming
    /// every option that differs with both values. A checkpoint written before identities were stored is not checked.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is of a run with other settings, or its identity is malformed.</exception>
    public static void Check(IReadOnlyDictionary<string, string> metadata, SortedDictionary<string, string> current)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(current);
        if (!metadata.TryGetValue(MetadataKey, out string? json))
        {
            return;
        }

        Dictionary<string, string>? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"its '{MetadataKey}' entry is not valid: {e.Message}", e);
        }

        stored ??= [];
        var differences = current.Keys.Union(stored.Keys).Order(StringComparer.Ordinal)
            .Select(key => (Key: key, Then: stored.GetValueOrDefault(key), Now: current.GetValueOrDefault(key)))
            .Where(d => d.Then != d.Now)
            .Select(d => $"{d.Key}: {d.Then ?? "(not set)"} in the checkpoint's run, {d.Now ?? "(not set)"} in this one")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidDataException(
                $"the checkpoint is of a run with other settings ({string.Join("; ", differences)}); --resume continues a run only with the settings it started with.");
        }
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the arrays, one after the other.</summary>
    private static string Fingerprint(params byte[][] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (byte[] part in parts)
        {
            hash.AppendData(BitConverter.GetBytes(part.LongLength));
            hash.AppendData(part);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
