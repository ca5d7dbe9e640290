namespace AutoBatch.Controller.Hosting;

/// <summary>
/// What an option of a given type expects, in the user's words rather than a .NET type name: for the messages about a
/// value that does not convert, from the command line (<see cref="ParseErrors"/>) or from appsettings.json and
/// AUTOBATCH_* variables (<see cref="VerbHost"/>).
/// </summary>
public static class ExpectedValue
{
    /// <summary>"a number", "a whole number", "true or false" or "one of A, B, C"; null for other types.</summary>
    public static string? Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(double) ? "a number"
            : null;
    }
}
