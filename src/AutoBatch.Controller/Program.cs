using System.CommandLine;
using AutoBatch.Controller.Verbs;

var root = new RootCommand("AutoBatch: Fisher-measured, closed-loop batch-size and learning-rate tuning (Liao et al., TPAMI 2020)")
{
    TrainVerb.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
