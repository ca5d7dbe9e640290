using System.Globalization;
using System.Reflection;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Reads a verb's options class as the single declaration of its flags: every public property carries a
/// <see cref="FlagAttribute"/> (flag and help), its name is the configuration key, a new instance holds the defaults,
/// and <see cref="FlagRangeAttribute"/> its range. From that come the help text (<see cref="Help"/>), the flag a message
/// names (<see cref="FlagOf"/>) and a child process's arguments (<see cref="Arguments{TOptions}"/>); the command-line
/// options and their binding into configuration keys are derived by <see cref="VerbOptions"/> from the same declarations.
/// </summary>
public static class OptionRecord
{
    /// <summary>
    /// The properties of <paramref name="optionsType"/> in declaration order, each with its flag.
    /// </summary>
    /// <exception cref="InvalidOperationException">A public property has no <see cref="FlagAttribute"/> (a bug).</exception>
    public static IReadOnlyList<(PropertyInfo Property, FlagAttribute Flag)> Flags(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        return [.. optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(p => p.MetadataToken)
            .Select(p => (p, p.GetCustomAttribute<FlagAttribute>()
                ?? throw new InvalidOperationException($"{optionsType.Name}.{p.Name} has no [Flag]: every option needs one.")))];
    }

    /// <summary>The flag of <paramref name="property"/> of <paramref name="optionsType"/>, e.g. <c>--seed</c>.</summary>
    public static string FlagOf(Type optionsType, string property)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        PropertyInfo info = optionsType.GetProperty(property, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"{optionsType.Name} has no property {property}.", nameof(property));
        return info.GetCustomAttribute<FlagAttribute>()?.Name
            ?? throw new InvalidOperationException($"{optionsType.Name}.{property} has no [Flag]: every option needs one.");
    }

    /// <summary>
    /// How a verb's user names the settings of the code it drives (<see cref="Runs.RunSettings.NameOf"/>, a spec's
    /// fields): a setting that is a property of <paramref name="optionsType"/>, under its own name or the one
    /// <paramref name="aliases"/> gives it, is named by that property's flag; any other keeps its name. The orchestration
    /// code names settings, never flags; the verb supplies this vocabulary.
    /// </summary>
    public static Func<string, string> Vocabulary(Type optionsType, IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        var flags = Flags(optionsType).ToDictionary(f => f.Property.Name, f => f.Flag.Name, StringComparer.Ordinal);
        return setting => flags.TryGetValue(aliases?.GetValueOrDefault(setting) ?? setting, out string? flag) ? flag : setting;
    }

    /// <summary>
    /// The help text of <paramref name="property"/>: its flag's help, followed by " (default X)" with the value a new
    /// <paramref name="defaults"/> instance holds, unless the help states the default itself, the property has no
    /// default (null or empty) or it is a switch (a bool).
    /// </summary>
    public static string? Help(PropertyInfo property, object defaults)
    {
        ArgumentNullException.ThrowIfNull(property);
        string? help = property.GetCustomAttribute<FlagAttribute>()?.Help;
        if (help is null || help.Contains("default", StringComparison.OrdinalIgnoreCase))
        {
            return help;
        }

        object? value = property.GetValue(defaults);
        return value is null or bool or "" ? help : $"{help} (default {Format(value)})";
    }

    /// <summary>
    /// The command-line arguments that give a process every set option of <paramref name="options"/>: each property
    /// with a value (not null) as its flag followed by the value, in declaration order. The child then depends on its
    /// parent alone, not on its own appsettings.json or environment, for every option the parent's record holds.
    /// </summary>
    public static IReadOnlyList<string> Arguments<TOptions>(TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string>();
        foreach ((PropertyInfo property, FlagAttribute flag) in Flags(typeof(TOptions)))
        {
            if (property.GetValue(options) is { } value)
            {
                args.Add(flag.Name);
                args.Add(Format(value));
            }
        }

        return args;
    }

    /// <summary>A value as a flag takes it: invariant culture, round-trip precision, true/false, enum names.</summary>
    public static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
