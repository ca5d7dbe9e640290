using AutoBatch.Engine;

namespace AutoBatch.Controller.Processes;

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
    /// The exit code for an exception that ended a verb: bad input only for a <see cref="UserInputException"/> (which
    /// names the option or the file); anything else, an <see cref="ArgumentException"/> from a guard clause included,
    /// is a failure.
    /// </summary>
    public static int For(Exception e) => e switch
    {
        OperationCanceledException => Cancelled,
        UserInputException => BadInput,
        _ => Failure,
    };
}
