using System.ComponentModel;
using System.Reflection;
using System.Text.RegularExpressions;
using AutoBatch.Controller.Processes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// Runs one verb as a hosted service on the .NET Generic Host. Configuration layers, later wins:
/// appsettings.json (optional, next to the program and in the working folder), AUTOBATCH_* environment
/// variables (e.g. <c>AUTOBATCH_Train__Epochs=20</c>), then the command-line flags the user gave.
/// </summary>
public static partial class VerbHost
{
    /// <summary>Builds and runs the host; returns the process exit code.</summary>
    public static async Task<int> RunAsync<TOptions, TService>(
        string sectionName, IDictionary<string, string?> overrides, CancellationToken cancellationToken,
        Action<IServiceCollection>? configure = null)
        where TOptions : class
        where TService : class, IHostedService
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            DisableDefaults = true,
        });
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables("AUTOBATCH_")
            .AddInMemoryCollection(overrides);
        // A value the binder cannot convert would fail the start with "... to type 'System.Int32'"; say what was
        // expected instead, naming the key as the user can set it.
        IReadOnlyList<string> unconvertible = UnconvertibleValues(typeof(TOptions), builder.Configuration.GetSection(sectionName));
        if (unconvertible.Count > 0)
        {
            foreach (string message in unconvertible)
            {
                await Console.Error.WriteLineAsync($"Invalid option: {message}").ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // The host logs a failed start (e.g. invalid options) with a stack trace; RunAsync reports it as one line.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // Warnings and errors (a bad input file, a failed run) go to standard error, where scripts look for them.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Warning);
        builder.Services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<TService>();
        configure?.Invoke(builder.Services);
        Environment.ExitCode = ExitCodes.Ok;
        try
        {
            using IHost host = builder.Build();
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            // One line per option: a range attribute and a verb's own validator can both refuse the same value.
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (string failure in e.Failures)
            {
                string message = Describe(failure, builder.Configuration.GetSection(sectionName));
                int end = message.IndexOfAny([':', ' ']);
                if (message.StartsWith("--", StringComparison.Ordinal) && end > 0 && !named.Add(message[..end]))
                {
                    continue;
                }

                await Console.Error.WriteLineAsync($"Invalid option: {message}").ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException or ArgumentException or InvalidOperationException)
        {
            // Configuration binding failures (e.g. "ten" for an int, from appsettings.json or AUTOBATCH_*) surface
            // here. The binder's message names the value and the key ("'ten' at 'Train:Epochs'"); the inner
            // exception, a FormatException or (through a TypeConverter) an ArgumentException, only repeats the value.
            await Console.Error.WriteLineAsync($"Invalid option: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    /// <summary>
    /// A validation failure as the user should read it. Data-annotation failures come wrapped ("DataAnnotation
    /// validation failed for 'TrainOptions' members: 'BatchSize' with the error: '--batch-size: must be in [1,
    /// 1048576].'."): the rule alone is kept, with the configuration key and the value that broke it
    /// ("--batch-size (Train:BatchSize): must be in [1, 1048576]; got '0'."). Other failures (the verbs' own
    /// validators) already name the option and pass through.
    /// </summary>
    public static string Describe(string failure, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentNullException.ThrowIfNull(section);
        Match m = DataAnnotationFailure().Match(failure);
        if (!m.Success)
        {
            return failure;
        }

        string member = m.Groups["member"].Value, rule = m.Groups["rule"].Value.TrimEnd('.');
        // The configuration key too, for a value set in appsettings.json or as AUTOBATCH_Section__Member.
        int colon = rule.IndexOf(':', StringComparison.Ordinal);
        if (rule.StartsWith("--", StringComparison.Ordinal) && colon > 0)
        {
            rule = $"{rule[..colon]} ({section.Path}:{member}){rule[colon..]}";
        }

        string? value = section[member];
        return value is null ? rule + "." : $"{rule}; got '{value}'.";
    }

    [GeneratedRegex(@"^DataAnnotation validation failed for '[^']*' members: '(?<member>[^',]*)' with the error: '(?<rule>.*)'\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    /// <summary>
    /// One message per scalar property of <paramref name="optionsType"/> whose value in <paramref name="section"/>
    /// does not convert to the property's type the way the configuration binder converts it (the type's
    /// TypeConverter, invariant culture): "Train:Epochs (appsettings.json or AUTOBATCH_Train__Epochs): expected a
    /// whole number, got 'ten'."
    /// </summary>
    public static IReadOnlyList<string> UnconvertibleValues(Type optionsType, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(section);
        var messages = new List<string>();
        foreach (PropertyInfo property in optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            string? expected = ExpectedValue.Describe(type);
            string? value = section[property.Name];
            if (expected is null || value is null || Converts(type, value))
            {
                continue;
            }

            string key = $"{section.Path}:{property.Name}";
            string variable = "AUTOBATCH_" + key.Replace(":", "__", StringComparison.Ordinal);
            messages.Add($"{key} (appsettings.json or {variable}): expected {expected}, got '{value}'.");
        }

        return messages;
    }

    private static bool Converts(Type type, string value)
    {
        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }
}
