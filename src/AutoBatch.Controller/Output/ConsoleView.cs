using System.Globalization;
using AutoBatch.Engine.Training;
using Spectre.Console;

namespace AutoBatch.Controller.Output;

/// <summary>Live console view of a training run: a progress bar over all samples and a line per epoch.</summary>
public static class ConsoleView
{
    /// <summary>Runs <paramref name="body"/> with callbacks that update the view.</summary>
    public static void Run(int epochs, int epochSize, Action<Action<StepEvent>, Action<EpochRecord>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        AnsiConsole.MarkupLine("[grey]epoch   B      α        train err  test err   C̄_K        L_K        time[/]");
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("training", maxValue: (double)epochs * epochSize);
                void OnStep(StepEvent e)
                {
                    task.Increment(e.Plan.BatchSize);
                    task.Description = string.Create(
                        CultureInfo.InvariantCulture,
                        $"epoch {e.Progress.Epoch + 1}/{epochs} B={e.Plan.BatchSize} loss={e.Result.Loss:F3}");
                }

                void OnEpoch(EpochRecord r)
                {
                    AnsiConsole.MarkupLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{r.Epoch,5}  {r.BatchSize,5}  {r.LearningRate,-8:G4} {r.TrainError,9:P2}  {r.TestError,8:P2}   {r.ConditionMean,-10:G4} {r.Energy,-10:G4} {r.TrainSeconds + r.EvalSeconds,6:F1}s"));
                }

                body(OnStep, OnEpoch);
            });
    }
}
