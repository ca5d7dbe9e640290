using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Appends epoch records to <c>epochs.jsonl</c> and <c>epochs.csv</c> in an output folder, flushed after each
/// epoch so that a crash never loses a finished epoch.
/// </summary>
public sealed class EpochLog : IDisposable
{
    private static readonly string[] Columns =
    [
        "epoch", "iterations", "total_iterations", "mean_batch_size", "batch_size", "learning_rate", "train_loss", "train_error",
        "test_loss", "test_error", "condition_mean", "energy", "epoch_condition", "epoch_energy", "mean_rank", "noise_scale",
        "measurements", "train_seconds", "probe_seconds", "eval_seconds", "diverged",
    ];

    private readonly StreamWriter _jsonl;
    private readonly StreamWriter _csv;
    private readonly List<EpochRecord> _records = [];

    /// <summary>
    /// Creates (or truncates) the two files in <paramref name="folder"/>; with <paramref name="keepEpochs"/>, keeps
    /// the records of epochs 1..keepEpochs already there (a resumed run: records written after its checkpoint are
    /// dropped, they will be written again).
    /// </summary>
    public EpochLog(string folder, int? keepEpochs = null)
    {
        Directory.CreateDirectory(folder);
        JsonPath = Path.Combine(folder, "epochs.jsonl");
        CsvPath = Path.Combine(folder, "epochs.csv");
        EpochRecord[] kept = keepEpochs is { } k && File.Exists(JsonPath)
            ? Read(JsonPath).Where(r => r.Epoch <= k).ToArray()
            : [];
        if (keepEpochs is { } expected && kept.Length != expected)
        {
            throw new InvalidDataException($"{JsonPath}: the checkpoint is after epoch {expected}, but the log holds {kept.Length} of those epochs.");
        }

        _jsonl = new StreamWriter(JsonPath, append: false, new UTF8Encoding(false));
        _csv = new StreamWriter(CsvPath, append: false, new UTF8Encoding(false));
        _csv.WriteLine(string.Join(',', Columns));
        _csv.Flush();
        foreach (EpochRecord r in kept)
        {
            Append(r);
        }
    }

    /// <summary>The records written so far (kept ones included).</summary>
    public IReadOnlyList<EpochRecord> Records => _records;

    /// <summary>Reads an epochs.jsonl file.</summary>
    /// <exception cref="InvalidDataException">A line is not an epoch record; the message names the file and line.</exception>
    public static IReadOnlyList<EpochRecord> Read(string path)
    {
        var records = new List<EpochRecord>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize<EpochRecord>(text, Json) ?? throw new InvalidDataException($"{path}:{line}: null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: not an epoch record: {e.Message}", e);
            }
        }

        return records;
    }

    /// <summary>Path of the JSON-lines file.</summary>
    public string JsonPath { get; }

    /// <summary>Path of the CSV file.</summary>
    public string CsvPath { get; }

    /// <summary>JSON settings shared by every AutoBatch output (camelCase).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Appends one record to both files and flushes them.</summary>
    public void Append(EpochRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        _records.Add(r);
        _jsonl.WriteLine(JsonSerializer.Serialize(r, Json));
        _jsonl.Flush();
        object[] values =
        [
            r.Epoch, r.Iterations, r.TotalIterations, r.MeanBatchSize, r.BatchSize, r.LearningRate, r.TrainLoss, r.TrainError,
            r.TestLoss, r.TestError, r.ConditionMean, r.Energy, r.EpochCondition, r.EpochEnergy, r.MeanRank, r.NoiseScale,
            r.Measurements, r.TrainSeconds, r.ProbeSeconds, r.EvalSeconds, r.Diverged ? 1 : 0,
        ];
        _csv.WriteLine(string.Join(',', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        _csv.Flush();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _jsonl.Dispose();
        _csv.Dispose();
    }
}
