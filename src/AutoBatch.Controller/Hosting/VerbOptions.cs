using System.CommandLine;
using System.Reflection;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// A verb's command-line options derived from its options class (see <see cref="OptionRecord"/>), and the flags a
/// user gave bound back into that class's configuration keys.
/// </summary>
public static class VerbOptions
{
    private static readonly MethodInfo ReadMethod = typeof(VerbOptions).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// One option per property of <paramref name="optionsType"/>, in declaration order, with the flag's alias, help
    /// (defaults from a new instance) and visibility. A property of a value type is read as nullable, so that an
    /// absent flag is told apart from one given as the default; a bool is a switch (<c>--resume</c>, or
    /// <c>--resume false</c>); a <see cref="FlagAttribute.Multiple"/> flag takes one or more tokens.
    /// </summary>
    public static IReadOnlyList<Option> Create(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        object defaults = Activator.CreateInstance(optionsType)
            ?? throw new InvalidOperationException($"{optionsType.Name} has no parameterless constructor.");
        var options = new List<Option>();
        foreach ((PropertyInfo property, FlagAttribute flag) in OptionRecord.Flags(optionsType))
        {
            Type type = property.PropertyType;
            Type read = flag.Multiple ? typeof(string[])
                : type == typeof(bool) || !type.IsValueType || Nullable.GetUnderlyingType(type) is not null ? type
                : typeof(Nullable<>).MakeGenericType(type);
            string[] aliases = flag.Alias is null ? [] : [flag.Alias];
            var option = (Option)Activator.CreateInstance(typeof(Option<>).MakeGenericType(read), flag.Name, aliases)!;
            option.Description = OptionRecord.Help(property, defaults);
            option.Hidden = flag.Hidden;
            option.AllowMultipleArgumentsPerToken = flag.Multiple;
            options.Add(option);
        }

        return options;
    }

    /// <summary>
    /// The flags given on the command line of <paramref name="result"/> (whose command holds the options
    /// <see cref="Create"/> made for <paramref name="optionsType"/>) as configuration keys of <paramref name="section"/>;
    /// flags not given leave appsettings.json and environment variables alone. The values of a
    /// <see cref="FlagAttribute.Multiple"/> flag are joined with commas.
    /// </summary>
    public static Dictionary<string, string?> Overrides(ParseResult result, Type optionsType, string section)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(optionsType);
        var overrides = new ConfigurationOverrides(section);
        IList<Option> given = result.CommandResult.Command.Options;
        foreach ((PropertyInfo property, FlagAttribute flag) in OptionRecord.Flags(optionsType))
        {
            Option option = given.FirstOrDefault(o => o.Name == flag.Name)
                ?? throw new InvalidOperationException($"the command has no option {flag.Name} for {optionsType.Name}.{property.Name}.");
            // A switch not given has an implicit result (false), which must not override the configuration.
            if (result.GetResult(option) is { Implicit: false })
            {
                object? value = ReadMethod.MakeGenericMethod(option.ValueType).Invoke(null, [result, option]);
                overrides.Set(property.Name, value switch
                {
                    null => null,
                    string[] values => string.Join(',', values),
                    _ => OptionRecord.Format(value),
                });
            }
        }

        return overrides.Values;
    }

    private static object? Read<T>(ParseResult result, Option option) => result.GetValue((Option<T>)option);
}
