using System.Globalization;
using System.Text.Json;
using AutoBatch.Engine;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Appends epoch records to <c>epochs.jsonl</c> and <c>epochs.csv</c> in an output folder, one write per record,
/// flushed to disk after each epoch so that a crash never loses a finished epoch and never leaves a torn record that a
/// reader takes for one (<see cref="LineFile"/>).
/// </summary>
public sealed class EpochLog : IDisposable
{
    private const string Kind = "an epoch record";

    private static readonly string[] Columns =
    [
        "epoch", "iterations", "total_iterations", "mean_batch_size", "batch_size", "learning_rate", "train_loss", "train_error",
        "test_loss", "test_error", "condition_mean", "energy", "epoch_condition", "epoch_energy", "mean_rank", "noise_scale",
        "measurements", "train_seconds", "probe_seconds", "eval_seconds", "diverged",
    ];

    private readonly LineFile _jsonl;
    private readonly LineFile _csv;
    private readonly List<EpochRecord> _records = [];

    /// <summary>
    /// Creates (or truncates) the two files in <paramref name="folder"/>; with <paramref name="keepEpochs"/>, keeps
    /// the records of epochs 1..keepEpochs already there, as they were written (a resumed run: records written after its
    /// checkpoint are dropped, they will be written again, and so is a last record cut short by a kill).
    /// </summary>
    public EpochLog(string folder, int? keepEpochs = null)
    {
        Directory.CreateDirectory(folder);
        JsonPath = Path.Combine(folder, "epochs.jsonl");
        CsvPath = Path.Combine(folder, "epochs.csv");
        var kept = new List<string>();
        if (keepEpochs is { } k && File.Exists(JsonPath))
        {
            foreach ((int line, string text) in LineFile.ReadWhole(JsonPath))
            {
                if (kept.Count == k)
                {
                    // Everything after the checkpoint's epochs is written again; it need not even parse.
                    break;
                }

                EpochRecord? record = JsonLines.Parse<EpochRecord>(JsonPath, line, text, Kind);
                if (record is not null && record.Epoch <= k)
                {
                    _records.Add(record);
                    kept.Add(text);
                }
            }
        }

        if (keepEpochs is { } expected && kept.Count != expected)
        {
            throw new UserInputException(JsonPath, $"the checkpoint is after epoch {expected}, but the log holds {kept.Count} of those epochs.");
        }

        _jsonl = new LineFile(JsonPath, kept);
        _csv = new LineFile(CsvPath, [string.Join(',', Columns), .. _records.Select(CsvRow)]);
    }

    /// <summary>The records written so far (kept ones included).</summary>
    public IReadOnlyList<EpochRecord> Records => _records;

    /// <summary>Reads an epochs.jsonl file; a last record cut short (no newline yet) is not one.</summary>
    /// <exception cref="UserInputException">A line is not an epoch record; the message names the file and line.</exception>
    public static IReadOnlyList<EpochRecord> Read(string path) => JsonLines.Read<EpochRecord>(path, Kind);

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
        _jsonl.Append(JsonSerializer.Serialize(r, Json));
        _csv.Append(CsvRow(r));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _jsonl.Dispose();
        _csv.Dispose();
    }

    private static string CsvRow(EpochRecord r)
    {
        object[] values =
        [
            r.Epoch, r.Iterations, r.TotalIterations, r.MeanBatchSize, r.BatchSize, r.LearningRate, r.TrainLoss, r.TrainError,
            r.TestLoss, r.TestError, r.CumulativeCondition, r.CumulativeEnergy, r.EpochCondition, r.EpochEnergy, r.MeanRank, r.NoiseScale,
            r.Measurements, r.TrainSeconds, r.ProbeSeconds, r.EvalSeconds, r.Diverged ? 1 : 0,
        ];
        return string.Join(',', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
    }
}
