using System.Globalization;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// The command-line flags a user actually gave, as configuration keys of one options section, so that they
/// override appsettings.json and environment variables while absent flags leave those alone.
/// </summary>
public sealed class ConfigurationOverrides
{
    private readonly string _section;

    /// <summary>Creates an empty set of overrides for <paramref name="section"/>.</summary>
    public ConfigurationOverrides(string section) => _section = section;

    /// <summary>The overrides, keyed <c>Section:Key</c>.</summary>
    public Dictionary<string, string?> Values { get; } = [];

    /// <summary>Sets <paramref name="key"/> when <paramref name="value"/> was given (is not null).</summary>
    public void Set(string key, object? value)
    {
        if (value is not null)
        {
            Values[$"{_section}:{key}"] = Convert.ToString(value, CultureInfo.InvariantCulture);
        }
    }
}
