namespace AutoBatch.Beacons.Grid;

/// <summary>An output folder is held by another process (<see cref="FolderLock"/>); the message names both. Bad input, exit 2.</summary>
public sealed class FolderInUseException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FolderInUseException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public FolderInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and the I/O error that showed the lock was held.</summary>
    public FolderInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
