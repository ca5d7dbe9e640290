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

    /// <summary>Creates (or truncates) the two files in <paramref name="folder"/>.</summary>
    public EpochLog(string folder)
    {
        Directory.CreateDirectory(folder);
        JsonPath = Path.Combine(folder, "epochs.jsonl");
        CsvPath = Path.Combine(folder, "epochs.csv");
        _jsonl = new StreamWriter(JsonPath, append: false, new UTF8Encoding(false));
        _csv = new StreamWriter(CsvPath, append: false, new UTF8Encoding(false));
        _csv.WriteLine(string.Join(',', Columns));
        _csv.Flush();
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
