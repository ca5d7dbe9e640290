using System.Text;
using AutoBatch.Beacons.Grid;

namespace AutoBatch.Controller.Output;

/// <summary>
/// A file of one record per line (JSON lines, CSV) that is either whole or cut after its last whole record: each
/// record is appended with one write of its bytes and its newline, flushed to disk; a last line without its newline
/// is a write cut short (a kill, a full disk) and is never read as a record; a resumed file is rewritten atomically
/// with the lines it keeps, so that a resume killed in turn leaves the old file or the new one.
/// </summary>
internal sealed class LineFile : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly FileStream _stream;

    /// <summary>Writes <paramref name="lines"/> as the whole file (atomically) and opens it for appending.</summary>
    public LineFile(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        AtomicFile.WriteAllText(path, text.ToString());
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    /// <summary>
    /// The whole lines of <paramref name="path"/>, with their line numbers; a last line without its newline (a record
    /// whose write was cut short, or is under way in another process) is left out.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> ReadWhole(string path)
    {
        string text = File.ReadAllText(path, Utf8);
        int start = 0, number = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                yield break;
            }

            number++;
            yield return (number, text[start..end]);
            start = end + 1;
        }
    }

    /// <summary>Appends one line with one write and flushes it to disk.</summary>
    public void Append(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _stream.Write(Utf8.GetBytes(line + "\n"));
        _stream.Flush(flushToDisk: true);
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
