using AutoBatch.Beacons.Grid;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Hosting;

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure (a bug or a native error).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: invalid option, missing or malformed file.</summary>
    public const int BadInput = 2;

    /// <summary>Stopped by Ctrl-C / SIGTERM before finishing.</summary>
    public const int Cancelled = 130;

    /// <summary>Training diverged (non-finite loss).</summary>
    public const int Diverged = 3;

    /// <summary>
    /// An exception's message as the user should read it: an <see cref="ArgumentException"/>'s message without the
    /// " (Parameter 'runs')" .NET appends for the developer's parameter name, which means nothing on the command line.
    /// </summary>
    public static string UserMessage(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.LastIndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = message.Remove(at, suffix.Length);
            }
        }

        return message;
    }

    /// <summary>Maps an exception to the exit code for it.</summary>
    public static int For(Exception e) => e switch
    {
        OperationCanceledException => Cancelled,
        // DataFormatException (a malformed data file) and FolderInUseException (an output folder another process
        // holds) are IOExceptions, unlike the disk errors that are failures.
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException or DataFormatException or FolderInUseException
            or ArgumentException or UnauthorizedAccessException => BadInput,
        _ => Failure,
    };
}
