namespace AutoBatch.Engine.Data;

/// <summary>
/// A data file is not in the expected format. The message always starts with the file's path and says what was
/// expected and what was found, so that a user can fix the file without a debugger.
/// </summary>
/// <remarks>
/// Bad input like a missing data file (both are <see cref="UserInputException"/>s). Corrupt gzip/zlib data (which the
/// runtime reports as <see cref="InvalidDataException"/>) is wrapped in this type as the inner exception.
/// </remarks>
public sealed class DataFormatException : UserInputException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; <paramref name="problem"/> states expected vs found.</summary>
    public DataFormatException(string filePath, string problem)
        : base(filePath, problem)
    {
        FilePath = filePath;
    }

    /// <summary>As <see cref="DataFormatException(string, string)"/>, wrapping the low-level cause (e.g. a zlib error).</summary>
    public DataFormatException(string filePath, string problem, Exception innerException)
        : base(filePath, problem, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file that failed to parse.</summary>
    public string FilePath { get; }
}
