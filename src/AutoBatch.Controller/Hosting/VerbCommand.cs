using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// A verb's command from its options record: every option <see cref="VerbOptions"/> derives from the record, and an
/// action that runs the verb's service in a <see cref="VerbHost"/> with the given flags as configuration overrides.
/// </summary>
public static class VerbCommand
{
    /// <summary>Builds the command.</summary>
    /// <typeparam name="TOptions">The verb's options record.</typeparam>
    /// <typeparam name="TService">The verb's service.</typeparam>
    /// <param name="name">The verb.</param>
    /// <param name="description">Its one-line help.</param>
    /// <param name="sectionName">The options' configuration section.</param>
    /// <param name="configure">Services the verb adds (its validator, logging).</param>
    public static Command Create<TOptions, TService>(string name, string description, string sectionName, Action<IServiceCollection>? configure = null)
        where TOptions : class
        where TService : class, IHostedService
    {
        var command = new Command(name, description);
        foreach (Option option in VerbOptions.Create(typeof(TOptions)))
        {
            command.Options.Add(option);
        }

        command.SetAction((result, token) => VerbHost.RunAsync<TOptions, TService>(
            sectionName, VerbOptions.Overrides(result, typeof(TOptions), sectionName), token, configure));
        return command;
    }
}
