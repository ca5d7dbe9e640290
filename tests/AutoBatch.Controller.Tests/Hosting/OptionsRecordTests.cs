using System.CommandLine;
using System.Reflection;
using AutoBatch.Controller.Hosting;
using Microsoft.Extensions.Configuration;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>
/// What every verb's options record promises, checked per verb by a derived fixture (as
/// <see cref="Verbs.Run.RunOptionsRecordTests"/> does for <c>run</c>): each property is one option of the verb and one
/// configuration key, and a sample with every property off its default, written as arguments, comes back equal
/// through the verb's parser and the configuration binder.
/// </summary>
/// <typeparam name="TOptions">The verb's options record.</typeparam>
public abstract class OptionsRecordTests<TOptions>
    where TOptions : class, new()
{
    private static readonly PropertyInfo[] Properties = typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    /// <summary>The verb's configuration section.</summary>
    protected abstract string Section { get; }

    /// <summary>Every property set, each to a value other than its default.</summary>
    protected abstract TOptions Sample();

    /// <summary>The verb's command, as Program.cs adds it.</summary>
    protected abstract Command Verb();

    /// <summary>The verb's binding of a parsed command line into configuration keys.</summary>
    protected abstract Dictionary<string, string?> Bind(ParseResult parsed);

    /// <summary>Parses <paramref name="args"/> with the verb and binds the flags given as the host would.</summary>
    protected TOptions ParseWithTheVerb(IReadOnlyList<string> args, out IReadOnlyDictionary<string, string?> overrides)
    {
        ParseResult parsed = Verb().Parse(args);
        Assert.That(parsed.Errors.Select(e => e.Message), Is.Empty, string.Join(' ', args));
        Dictionary<string, string?> values = Bind(parsed);
        overrides = values;
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(Section).Get<TOptions>() ?? new TOptions();
    }

    /// <summary>The help the verb shows for <paramref name="flag"/>.</summary>
    protected string HelpOf(string flag) => Verb().Options.Single(o => o.Name == flag).Description ?? string.Empty;

    [Test]
    public void TheSampleSetsEveryPropertyToAValueOtherThanItsDefault()
    {
        TOptions sample = Sample(), defaults = new();
        Assert.That(Properties.Where(p => Equals(p.GetValue(sample), p.GetValue(defaults))).Select(p => p.Name), Is.Empty);
    }

    [Test]
    public void EveryPropertyIsOneOptionOfTheVerbAndOneConfigurationKey()
    {
        string[] flags = [.. Properties.Select(p => OptionRecord.FlagOf(typeof(TOptions), p.Name))];
        IReadOnlyList<string> args = OptionRecord.Arguments(Sample());
        ParseWithTheVerb(args, out IReadOnlyDictionary<string, string?> overrides);

        Assert.Multiple(() =>
        {
            Assert.That(flags, Is.Unique, "one flag per property");
            Assert.That(Verb().Options.Select(o => o.Name), Is.EquivalentTo(flags), "the verb's options");
            Assert.That(args.Where((_, i) => i % 2 == 0), Is.EquivalentTo(flags), "the arguments' flags, each followed by its value");
            Assert.That(overrides.Keys, Is.EquivalentTo(Properties.Select(p => $"{Section}:{p.Name}")), "the configuration keys");
        });
    }

    [Test]
    public void OptionsWrittenAsArgumentsAndParsedByTheVerbComeBackEqual()
    {
        TOptions sample = Sample();
        TOptions back = ParseWithTheVerb(OptionRecord.Arguments(sample), out _);
        Assert.Multiple(() =>
        {
            foreach (PropertyInfo p in Properties)
            {
                Assert.That(p.GetValue(back), Is.EqualTo(p.GetValue(sample)), p.Name);
            }
        });
    }

    [Test]
    public void AFlagNotGivenLeavesTheConfigurationAlone()
    {
        ParseWithTheVerb([], out IReadOnlyDictionary<string, string?> overrides);
        Assert.That(overrides, Is.Empty);
    }
}
