using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Controller.Runs;

/// <summary>
/// The settings that decide a run's result, keyed by their names in <see cref="RunSettings"/>, as stored in the run's
/// checkpoints: a resumed run continues only under the settings it started with. Without this check a resumed run with
/// another α, subset, data set, probe interval or map trained its remaining epochs under those, and its records and
/// summary described neither run. Threads, the device, the background probe and checkpoint frequency are left out: they
/// do not change what is computed (threads and devices change the last bits only; reproducibility is promised per
/// thread count only).
/// </summary>
internal static class RunIdentity
{
    /// <summary>Checkpoint metadata key of the identity (a JSON object of setting → value).</summary>
    public const string MetadataKey = "autobatch.run";

    /// <summary>The identity's key of the batch policy's settings (the schedule and its parameters).</summary>
    public const string ScheduleKey = "Schedule";

    // Checkpoints written before the identity named settings keyed them by the command line's spelling; read as these.
    private static readonly Dictionary<string, string> EarlierKeys = new(StringComparer.Ordinal)
    {
        ["--model"] = nameof(RunSettings.Model),
        ["--data"] = nameof(RunSettings.Data),
        ["--data-path"] = nameof(RunSettings.DataPath),
        ["--train-subset"] = nameof(RunSettings.TrainSubset),
        ["--no-augmentation"] = nameof(RunSettings.NoAugmentation),
        ["--batch-size"] = nameof(RunSettings.BatchSize),
        ["--lr"] = nameof(RunSettings.LearningRate),
        ["--lr-rule"] = nameof(RunSettings.Rule),
        ["--epochs"] = nameof(RunSettings.Epochs),
        ["--seed"] = nameof(RunSettings.Seed),
        ["--probe-interval"] = nameof(RunSettings.ProbeInterval),
        ["--schedule"] = ScheduleKey,
        ["--rollback"] = nameof(RunSettings.RollbackOnDivergence),
        ["--rank-rule"] = nameof(RunSettings.RankRule),
        ["--both-rank-rules"] = nameof(RunSettings.BothRankRules),
        ["--map"] = nameof(RunSettings.MapPath),
    };

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
            [nameof(RunSettings.Model)] = s.Model,
            [nameof(RunSettings.Data)] = s.Data.ToString(),
            [nameof(RunSettings.DataPath)] = trainingSet,
            [nameof(RunSettings.TrainSubset)] = s.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all",
            [nameof(RunSettings.NoAugmentation)] = augmentation.ToString(),
            [nameof(RunSettings.BatchSize)] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
            [nameof(RunSettings.LearningRate)] = s.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            [nameof(RunSettings.Rule)] = s.Rule.ToString(),
            [nameof(RunSettings.Epochs)] = s.Epochs.ToString(CultureInfo.InvariantCulture),
            [nameof(RunSettings.Seed)] = s.Seed.ToString(CultureInfo.InvariantCulture),
            [nameof(RunSettings.ProbeInterval)] = s.ProbeInterval.ToString(CultureInfo.InvariantCulture),
            [ScheduleKey] = policy.Settings,
            [nameof(RunSettings.RollbackOnDivergence)] = s.RollbackOnDivergence
                ? Invariant($"on, α x {s.DivergenceCut:R}, at most {s.MaxRollbacks}")
                : "off",
        };
        // Added only off their defaults, so that checkpoints written before these options still resume.
        if (s.RankRule != RankRule.Tolerance)
        {
            identity[nameof(RunSettings.RankRule)] = s.RankRule.ToString();
        }

        if (s.BothRankRules)
        {
            identity[nameof(RunSettings.BothRankRules)] = "on";
        }

        if (s.MapPath is { } map && !string.IsNullOrWhiteSpace(map))
        {
            identity[nameof(RunSettings.MapPath)] = Invariant($"content {Fingerprint(File.ReadAllBytes(map))}");
        }

        return identity;
    }

    /// <summary>The identity as stored in checkpoint metadata.</summary>
    public static string ToJson(SortedDictionary<string, string> identity) => JsonSerializer.Serialize(identity);

    /// <summary>
    /// Throws when the checkpoint's metadata holds an identity that differs from <paramref name="current"/>, naming
    /// every setting that differs (as <paramref name="nameOf"/> names it) with both values. A checkpoint written before
    /// identities were stored is not checked; one written before they named settings is read under today's names.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is of a run with other settings, or its identity is malformed.</exception>
    public static void Check(IReadOnlyDictionary<string, string> metadata, SortedDictionary<string, string> current, Func<string, string>? nameOf = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(current);
        nameOf ??= static setting => setting;
        if (!metadata.TryGetValue(MetadataKey, out string? json))
        {
            return;
        }

        Dictionary<string, string>? read;
        try
        {
            read = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"its '{MetadataKey}' entry is not valid: {e.Message}", e);
        }

        var stored = (read ?? []).ToDictionary(p => EarlierKeys.GetValueOrDefault(p.Key) ?? p.Key, p => p.Value, StringComparer.Ordinal);
        var differences = current.Keys.Union(stored.Keys).Order(StringComparer.Ordinal)
            .Select(key => (Key: key, Then: stored.GetValueOrDefault(key), Now: current.GetValueOrDefault(key)))
            .Where(d => d.Then != d.Now)
            .Select(d => $"{nameOf(d.Key)}: {d.Then ?? "(not set)"} in the checkpoint's run, {d.Now ?? "(not set)"} in this one")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidDataException(
                $"the checkpoint is of a run with other settings ({string.Join("; ", differences)}); {nameOf(nameof(RunSettings.Resume))} continues a run only with the settings it started with.");
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
