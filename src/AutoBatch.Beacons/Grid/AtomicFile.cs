namespace AutoBatch.Beacons.Grid;

/// <summary>Writes files so that a reader (or a crash) never sees a partial file.</summary>
public static class AtomicFile
{
    /// <summary>Writes to a temporary file in the same folder, flushes it to disk, then renames it over the target.</summary>
    public static void WriteAllText(string path, string contents)
    {
        ArgumentNullException.ThrowIfNull(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
