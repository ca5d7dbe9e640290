namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Declares an options property as a command-line flag: the flag's name, its help text and, optionally, a short alias.
/// The property's name is its configuration key (<c>Section:Property</c>) and a new instance's value its default, so
/// <see cref="OptionRecord"/> derives the verb's options, their binding, the help defaults, the range messages and a
/// child process's arguments from the options class alone.
/// </summary>
/// <param name="name">The flag, e.g. <c>--seed</c>.</param>
/// <param name="help">
/// The help text. Unless it states the default itself (it contains "default"), the help shows the property's default
/// value as " (default X)" when the property has one.
/// </param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class FlagAttribute(string name, string? help = null) : Attribute
{
    /// <summary>The flag, e.g. <c>--seed</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The help text as written (see <see cref="OptionRecord.Help"/> for the text shown).</summary>
    public string? Help { get; } = help;

    /// <summary>A short alias such as <c>-s</c> (default none).</summary>
    public string? Alias { get; set; }

    /// <summary>Left out of the help (default false): flags only a parent process passes.</summary>
    public bool Hidden { get; set; }

    /// <summary>
    /// Takes one or more values, as separate tokens (<c>--grids a b</c>), which the property (a string) receives
    /// joined with commas (default false: one value).
    /// </summary>
    public bool Multiple { get; set; }
}
