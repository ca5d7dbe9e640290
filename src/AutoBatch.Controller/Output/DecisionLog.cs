using System.Text.Json;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Appends decisions to <c>decisions.jsonl</c>, one write per line, flushed to disk (<see cref="LineFile"/>). A
/// resumed run keeps the decisions made up to its checkpoint, as they were written, and drops later ones (they are made
/// again, identically, from the same state) and a last line cut short by a kill.
/// </summary>
public sealed class DecisionLog : IDisposable
{
    private const string Kind = "a decision record";

    private readonly LineFile _writer;

    /// <summary>Creates (or truncates) the file; with <paramref name="keepThroughIteration"/> keeps earlier decisions.</summary>
    public DecisionLog(string folder, long? keepThroughIteration = null)
    {
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, "decisions.jsonl");
        var kept = new List<string>();
        if (keepThroughIteration is { } k && File.Exists(Path))
        {
            foreach ((int line, string text) in LineFile.ReadWhole(Path))
            {
                if (JsonLines.Parse<DecisionRecord>(Path, line, text, Kind) is { } d && (d.Iteration < k || (d.Iteration == k && d.Kind != "decision")))
                {
                    kept.Add(text);
                }
            }
        }

        _writer = new LineFile(Path, kept);
        Count = kept.Count;
    }

    /// <summary>Path of the file.</summary>
    public string Path { get; }

    /// <summary>Decisions written (kept ones included).</summary>
    public int Count { get; private set; }

    /// <summary>Reads a decisions.jsonl file; a last line cut short (no newline yet) is not a decision.</summary>
    /// <exception cref="UserInputException">A line is not a decision; the message names the file and line.</exception>
    public static IReadOnlyList<DecisionRecord> Read(string path) => JsonLines.Read<DecisionRecord>(path, Kind);

    /// <summary>Appends one decision and flushes it to disk.</summary>
    public void Append(DecisionRecord decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _writer.Append(JsonSerializer.Serialize(decision, EpochLog.Json));
        Count++;
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
