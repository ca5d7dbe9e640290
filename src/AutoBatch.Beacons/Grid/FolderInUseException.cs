using AutoBatch.Engine;

namespace AutoBatch.Beacons.Grid;

/// <summary>An output folder is held by another process (<see cref="FolderLock"/>); the message names both. Bad input, exit 2.</summary>
public sealed class FolderInUseException : UserInputException
{
    /// <summary>Creates the exception: <paramref name="input"/> is how the user named the folder, <paramref name="problem"/> who holds it.</summary>
    public FolderInUseException(string input, string problem, Exception innerException)
        : base(input, problem, innerException)
    {
    }
}
