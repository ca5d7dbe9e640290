using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoBatch.Beacons.Grid;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// <c>compare.json</c>: what a comparison is (the same data, model, epochs and seeds for every schedule). Written
/// when a comparison starts; resuming into a folder whose spec differs is refused, so that one report never mixes
/// runs of two comparisons.
/// </summary>
public sealed record CompareSpec
{
    /// <summary>File name in the comparison folder.</summary>
    public const string FileName = "compare.json";

    /// <summary>Format version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Beacon map the runs use, as a full path (comparisons written before held it as given on the command line).</summary>
    public required string Map { get; init; }

    /// <summary>Canonical schedule names (<see cref="ScheduleSpec.Name"/>), in report order.</summary>
    public required IReadOnlyList<string> Schedules { get; init; }

    /// <summary>Seeds; every schedule runs each.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Epochs of every run.</summary>
    public required int Epochs { get; init; }

    /// <summary>Training subset of every run (null: the whole training set).</summary>
    public int? TrainSubset { get; init; }

    /// <summary>α on a batch change, when not the run verb's default.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateRule>))]
    public LearningRateRule? LearningRateRule { get; init; }

    /// <summary>Every run of the comparison: schedule-major, then seed.</summary>
    public IReadOnlyList<CompareRun> Runs() =>
        (from s in Schedules from seed in Seeds select new CompareRun(ScheduleSpec.Parse(s), seed)).ToArray();

    /// <summary>
    /// What differs between this spec and <paramref name="other"/>, one phrase per field, each field named by
    /// <paramref name="nameOf"/> (given its property name here; default: that name). Empty when they describe the same
    /// comparison; map paths are compared as full paths.
    /// </summary>
    public IReadOnlyList<string> Differences(CompareSpec other, Func<string, string>? nameOf = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        nameOf ??= static field => field;
        var differences = new List<string>();
        void Check(string field, string mine, string theirs)
        {
            if (mine != theirs)
            {
                differences.Add($"{nameOf(field)} {theirs} (folder) vs {mine} (now)");
            }
        }

        Check(nameof(Map), Path.GetFullPath(Map), Path.GetFullPath(other.Map));
        Check(nameof(Schedules), string.Join(',', Schedules), string.Join(',', other.Schedules));
        Check(nameof(Seeds), string.Join(',', Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture))), string.Join(',', other.Seeds.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        Check(nameof(Epochs), Epochs.ToString(CultureInfo.InvariantCulture), other.Epochs.ToString(CultureInfo.InvariantCulture));
        Check(nameof(TrainSubset), TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all", other.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all");
        Check(nameof(LearningRateRule), LearningRateRule?.ToString() ?? "default", other.LearningRateRule?.ToString() ?? "default");
        return differences;
    }

    /// <summary>Path of compare.json in <paramref name="folder"/>.</summary>
    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    /// <summary>Reads compare.json from a comparison folder.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no compare.json.</exception>
    /// <exception cref="InvalidDataException">The file is not a comparison spec; the message names it.</exception>
    public static CompareSpec Read(string folder)
    {
        string path = PathIn(folder);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: not a comparison folder (the compare verb writes it).", path);
        }

        try
        {
            CompareSpec spec = JsonSerializer.Deserialize<CompareSpec>(File.ReadAllText(path), Json)
                ?? throw new UserInputException(path, $"empty comparison spec.");
            string? problem = spec.Version != 1 ? $"version {spec.Version}, expected 1 (written by another version of autobatch?)"
                : spec.Schedules is null || spec.Schedules.Count == 0 ? "no schedules, expected at least one"
                : spec.Seeds is null || spec.Seeds.Count == 0 ? "no seeds, expected at least one"
                : spec.Epochs < 1 ? $"epochs {spec.Epochs}, expected >= 1"
                : spec.TrainSubset is < 1 ? $"trainSubset {spec.TrainSubset}, expected >= 1"
                : string.IsNullOrWhiteSpace(spec.Map) ? "no map, expected the map's path"
                : null;
            if (problem is not null)
            {
                throw new UserInputException(path, $"not a valid comparison spec: {problem}.");
            }

            foreach (string s in spec.Schedules!)
            {
                ScheduleSpec.Parse(s);
            }

            return spec;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new UserInputException(path, $"not a comparison spec: {e.Message}", e);
        }
    }

    /// <summary>
    /// Claims <paramref name="folder"/> for this comparison: writes compare.json when there is none, accepts one that
    /// describes the same comparison (a resume), and refuses one that differs. <paramref name="nameOf"/> names the
    /// fields in the message as the caller's user knows them (see <see cref="Differences"/>); the folder is
    /// <see cref="OutputSetting"/>.
    /// </summary>
    /// <exception cref="UserInputException">The folder holds another comparison; the message lists the differences.</exception>
    public void Claim(string folder, Func<string, string>? nameOf = null)
    {
        nameOf ??= static field => field;
        if (!File.Exists(PathIn(folder)))
        {
            Write(folder);
            return;
        }

        IReadOnlyList<string> differences = Differences(Read(folder), nameOf);
        if (differences.Count > 0)
        {
            string output = nameOf(OutputSetting);
            throw new UserInputException(output, $"{folder} holds another comparison ({string.Join("; ", differences)}); give the same settings to resume it, or another {output}.");
        }
    }

    /// <summary>The name <see cref="Claim"/> gives the comparison's folder (its caller's output setting).</summary>
    public const string OutputSetting = "Output";

    /// <summary>Writes compare.json into <paramref name="folder"/> atomically.</summary>
    public void Write(string folder) => AtomicFile.WriteAllText(PathIn(folder), JsonSerializer.Serialize(this, Json));

    /// <summary>JSON settings of compare.json and report.json (indented camelCase).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
