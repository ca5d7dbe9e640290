namespace AutoBatch.Engine;

/// <summary>A failure reported by the native core (the message is the native one).</summary>
public sealed class EngineException : Exception
{
    /// <summary>Creates the exception without a message.</summary>
    public EngineException()
    {
    }

    /// <summary>Creates the exception with the native core's message.</summary>
    public EngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the native core's message and the error that caused it.</summary>
    public EngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
