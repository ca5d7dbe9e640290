using System.Text;
using System.Text.Json;
using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Appends decisions to <c>decisions.jsonl</c>, flushed per line. A resumed run keeps the decisions made up to its
/// checkpoint and drops later ones (they are made again, identically, from the same state).
/// </summary>
public sealed class DecisionLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Creates (or truncates) the file; with <paramref name="keepThroughIteration"/> keeps earlier decisions.</summary>
    public DecisionLog(string folder, long? keepThroughIteration = null)
    {
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, "decisions.jsonl");
        DecisionRecord[] kept = keepThroughIteration is { } k && File.Exists(Path)
            ? Read(Path).Where(d => d.Iteration < k || (d.Iteration == k && d.Kind != "decision")).ToArray()
            : [];
        _writer = new StreamWriter(Path, append: false, new UTF8Encoding(false));
        foreach (DecisionRecord d in kept)
        {
            Append(d);
        }
    }

    /// <summary>Path of the file.</summary>
    public string Path { get; }

    /// <summary>Decisions written (kept ones included).</summary>
    public int Count { get; private set; }

    /// <summary>Reads a decisions.jsonl file.</summary>
    /// <exception cref="InvalidDataException">A line is not a decision; the message names the file and line.</exception>
    public static IReadOnlyList<DecisionRecord> Read(string path)
    {
        var records = new List<DecisionRecord>();
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
                records.Add(JsonSerializer.Deserialize<DecisionRecord>(text, EpochLog.Json) ?? throw new InvalidDataException($"{path}:{line}: null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: not a decision record: {e.Message}", e);
            }
        }

        return records;
    }

    /// <summary>Appends one decision and flushes.</summary>
    public void Append(DecisionRecord decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _writer.WriteLine(JsonSerializer.Serialize(decision, EpochLog.Json));
        _writer.Flush();
        Count++;
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
