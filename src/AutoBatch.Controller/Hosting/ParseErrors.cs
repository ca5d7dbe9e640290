using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Command-line parse errors as a user should read them. System.CommandLine lets a bool option (<c>--resume</c>,
/// <c>--probe-background [true|false]</c>) take the next token only when it reads as true or false, so that a flag
/// written bare leaves the token after it alone; a mistyped value such as <c>--rollback maybe</c> therefore comes
/// back as "Unrecognized command or argument 'maybe'", which does not say which option it was meant for. Our verbs take
/// no positional arguments, so such a token is always a bad value for the option before it, and it is named so.
/// A value that does not convert to a number or enum option's type ("Cannot parse argument 'x' for option '--lr' as
/// expected type 'System.Nullable`1[System.Double]'") is reported as what was expected instead: a number, a whole
/// number, or the enum's names.
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
            ?? UnconvertibleValue(error)
            ?? error.Message;
        return parsed.Errors.Select(Explain).ToList();
    }

    /// <summary>
    /// "--lr: expected a number, got 'fast'." for an error on a number or enum option whose value does not convert;
    /// null for any other error (which keeps System.CommandLine's own message). Decided from the option's type and
    /// token, not from the message's wording, which System.CommandLine localises.
    /// </summary>
    private static string? UnconvertibleValue(ParseError error)
    {
        OptionResult? result = error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult;
        if (result is null)
        {
            return null;
        }

        Type type = Nullable.GetUnderlyingType(result.Option.ValueType) ?? result.Option.ValueType;
        string? expected = ExpectedValue.Describe(type);
        string? bad = result.Tokens.Select(t => t.Value).FirstOrDefault(v => !Converts(type, v));
        return expected is null || bad is null ? null : $"{result.Option.Name}: expected {expected}, got '{bad}'.";
    }

    // As System.CommandLine parses them (VerbHost checks configuration values with the binder's converters instead).
    private static bool Converts(Type type, string value) =>
        type.IsEnum ? Enum.TryParse(type, value, ignoreCase: true, out _)
        : type == typeof(bool) ? bool.TryParse(value, out _)
        : type == typeof(int) ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type == typeof(long) ? long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
