using AutoBatch.Engine;

namespace AutoBatch.Controller.Output;

/// <summary>
/// Checks, before any work, that an output path can be what a verb will write there: a folder (runs, grids,
/// comparisons) or a file (a beacon map). Each problem comes back as a message naming the option, so validators can
/// list it with the others and the training verbs can throw it; without these, the path failed with an I/O error and a
/// stack trace, for beacons only after the whole grid had trained.
/// </summary>
internal static class OutputPaths
{
    /// <summary>
    /// Null when <paramref name="folder"/> is, or can become, a writable folder: not a file, not under one, and, when it
    /// exists, writable (a file is created and deleted in it). A folder still to be created is not tried here.
    /// </summary>
    public static string? FolderProblem(string folder, string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string full = Path.GetFullPath(folder);
        if (FileOnTheWay(full) is { } file)
        {
            return file == full
                ? $"{option}: '{folder}' is a file; expected a folder."
                : $"{option}: '{file}' is a file, so '{folder}' cannot be a folder.";
        }

        if (!Directory.Exists(full))
        {
            return null;
        }

        string probe = Path.Combine(full, $".autobatch-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{option}: cannot write to the folder '{folder}': {e.Message}";
        }
    }

    /// <summary>Null when <paramref name="file"/> can be written as a file: not a folder, and no file on its folder's path.</summary>
    public static string? FileProblem(string file, string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        string full = Path.GetFullPath(file);
        if (Directory.Exists(full))
        {
            return $"{option}: '{file}' is a folder; expected a file path.";
        }

        return Path.GetDirectoryName(full) is { } parent && FileOnTheWay(parent) is { } blocking
            ? $"{option}: '{blocking}' is a file, so '{file}' cannot be written."
            : null;
    }

    /// <summary>Throws <see cref="UserInputException"/> with <see cref="FolderProblem"/>'s message, if any.</summary>
    public static void CheckFolder(string folder, string option)
    {
        if (FolderProblem(folder, option) is { } problem)
        {
            throw UserInputException.Naming(option, problem);
        }
    }

    // The path itself or its nearest existing ancestor when that is a file; null when the nearest existing one is a folder.
    private static string? FileOnTheWay(string full)
    {
        for (string? at = full; at is not null; at = Path.GetDirectoryName(at))
        {
            if (File.Exists(at))
            {
                return at;
            }

            if (Directory.Exists(at))
            {
                return null;
            }
        }

        return null;
    }
}
