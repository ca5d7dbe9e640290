using System.Text.Json;
using AutoBatch.Engine;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Reads a JSON-lines file of records (<c>epochs.jsonl</c>, <c>decisions.jsonl</c>) the way it is written: one record a
/// line, blank lines skipped, and a last line cut short (no newline yet, a writer killed mid-line) not a record.
/// </summary>
public static class JsonLines
{
    /// <summary>The records of <paramref name="path"/>; <paramref name="kind"/> names a record in messages ("an epoch record").</summary>
    /// <exception cref="UserInputException">A line is not such a record; the message names the file and line.</exception>
    public static IReadOnlyList<T> Read<T>(string path, string kind)
        where T : class
    {
        var records = new List<T>();
        foreach ((int line, string text) in LineFile.ReadWhole(path))
        {
            if (Parse<T>(path, line, text, kind) is { } record)
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>Line <paramref name="line"/> of <paramref name="path"/> as a record; null for a blank line.</summary>
    /// <exception cref="UserInputException">The line is not such a record; the message names the file and line.</exception>
    public static T? Parse<T>(string path, int line, string text, string kind)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, EpochLog.Json) ?? throw new UserInputException($"{path}:{line}", "null record");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}:{line}", $"not {kind}: {e.Message}", e);
        }
    }
}
