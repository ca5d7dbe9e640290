using System.CommandLine;
using System.CommandLine.Parsing;

namespace AutoBatch.Controller.Verbs;

/// <summary>
/// Command-line parse errors as a user should read them. System.CommandLine lets a bool option (<c>--resume</c>,
/// <c>--probe-background [true|false]</c>) take the next token only when it reads as true or false, so that a flag
/// written bare leaves the token after it alone; a mistyped value such as <c>--rollback maybe</c> therefore comes
/// back as "Unrecognized command or argument 'maybe'", which does not say which option it was meant for. Our verbs take
/// no positional arguments, so such a token is always a bad value for the option before it, and it is named so.
/// </summary>
public static class ParseErrors
{
    /// <summary>One message per parse error of <paramref name="parsed"/>, which came from <paramref name="args"/>.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parsed, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(args);
        var boolOptions = parsed.CommandResult.Command.Options
            .Where(o => o.ValueType == typeof(bool) || o.ValueType == typeof(bool?))
            .ToList();
        var badValues = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Count; i++)
        {
            Option? option = boolOptions.FirstOrDefault(o => o.Name == args[i - 1] || o.Aliases.Contains(args[i - 1]));
            if (option is not null && parsed.UnmatchedTokens.Contains(args[i]))
            {
                badValues.TryAdd(args[i], $"{option.Name}: expected true or false (or nothing, meaning true), got '{args[i]}'.");
            }
        }

        string Explain(ParseError error) =>
            badValues.FirstOrDefault(bad => error.Message.Contains($"'{bad.Key}'", StringComparison.Ordinal)).Value
            ?? error.Message;
        return parsed.Errors.Select(Explain).ToList();
    }
}
