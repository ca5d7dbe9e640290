using System.CommandLine;
using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Controller.Verbs.Beacons;
using AutoBatch.Controller.Verbs.Compare;
using AutoBatch.Controller.Verbs.Measure;
using AutoBatch.Controller.Verbs.Merge;
using AutoBatch.Controller.Verbs.Report;
using AutoBatch.Controller.Verbs.Run;
using AutoBatch.Controller.Verbs.Train;

var root = new RootCommand("AutoBatch: Fisher-measured, closed-loop batch-size and learning-rate tuning (Liao et al., TPAMI 2020)")
{
    RunVerb.Create(),
    TrainVerb.Create(),
    BeaconsVerb.Create(),
    MergeVerb.Create(),
    MeasureVerb.Create(),
    CompareVerb.Create(),
    ReportVerb.Create(),
};
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A malformed flag is bad input like any other (exit 2), not a failure (System.CommandLine's default 1).
    foreach (string message in ParseErrors.Describe(parsed, args))
    {
        await Console.Error.WriteLineAsync($"Invalid option: {message}").ConfigureAwait(false);
    }

    return ExitCodes.BadInput;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
