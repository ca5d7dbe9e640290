namespace AutoBatch.Engine;

/// <summary>
/// Input from the user that cannot be used: the value of an option, or a file the user named (or a file a run
/// wrote that the user points at again). The message names the input and says what was expected; the program
/// reports this exception, and only this one, as bad input (exit code 2) in one line. Any other exception is a bug
/// or a failure of the system and is reported with its stack trace.
/// </summary>
/// <remarks>
/// Library code names the input as the library knows it (a file's path, a property such as <c>BatchSizes</c>); the
/// command line, which knows how the user spelled it, renames it with <see cref="Renamed"/>. The type is not sealed:
/// a malformed data file (<see cref="Data.DataFormatException"/>) is one kind of bad input.
/// </remarks>
public class UserInputException : Exception
{
    /// <summary>Creates the exception: <paramref name="problem"/> says what was expected (and what was found).</summary>
    public UserInputException(string input, string problem)
        : this(input, problem, null)
    {
    }

    /// <summary>As <see cref="UserInputException(string, string)"/>, with the lower-level cause.</summary>
    public UserInputException(string input, string problem, Exception? innerException)
        : base($"{input}: {problem}", innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        Input = input;
        Problem = problem;
    }

    private UserInputException(string input, string problem, string message, Exception? innerException)
        : base(message, innerException)
    {
        Input = input;
        Problem = problem;
    }

    /// <summary>
    /// The exception whose whole message is <paramref name="sentence"/>, which names <paramref name="input"/> itself
    /// (e.g. "MNIST data set directory '/data' does not exist; ..."), or, for a file, its name and folder.
    /// </summary>
    public static UserInputException Naming(string input, string sentence, Exception? innerException = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(sentence);
        if (!sentence.Contains(input, StringComparison.Ordinal) && !sentence.Contains(Path.GetFileName(input.TrimEnd('/')), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The message must name the input '{input}': {sentence}", nameof(sentence));
        }

        return new UserInputException(input, sentence, sentence, innerException);
    }

    /// <summary>The option (as the user typed it, e.g. <c>--batch-sizes</c>) or the file's path.</summary>
    public string Input { get; }

    /// <summary>What is wrong with it: the message without the input's name.</summary>
    public string Problem { get; }

    /// <summary>The same problem, naming the input as <paramref name="input"/> (an option for a library's property name).</summary>
    public UserInputException Renamed(string input) =>
        Message == Problem ? Naming(input, Problem.Replace(Input, input, StringComparison.Ordinal), InnerException) : new(input, Problem, InnerException);
}
