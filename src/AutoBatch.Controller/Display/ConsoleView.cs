using System.Globalization;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Training;
using Spectre.Console;

namespace AutoBatch.Controller.Display;

/// <summary>
/// Live console view of a training run: a progress bar over all samples, a line per epoch (batch size, α, errors,
/// C̄_K, L_K and, with a map, the distance to its optimum region) and a line per batch-size change.
/// </summary>
public static class ConsoleView
{
    /// <summary>Runs <paramref name="body"/> with a view that updates the console.</summary>
    public static T Run<T>(int epochs, bool withDistance, Func<IRunView, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        AnsiConsole.MarkupLine(
            "[grey]epoch   B      α        train err  test err   C̄_K        L_K        " + (withDistance ? "dist    " : string.Empty) + "time[/]");
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("training", maxValue: epochs);
                result = body(new View(task, epochs, withDistance));
            });
        return result;
    }

    private sealed class View(ProgressTask task, int epochs, bool withDistance) : IRunView
    {
        private bool _positioned;

        public void StepDone(StepEvent stepEvent)
        {
            if (!_positioned)
            {
                // The bar counts samples; a resumed run starts part-way through.
                task.MaxValue = (double)epochs * stepEvent.Progress.EpochSize;
                task.Value = (double)stepEvent.Progress.Epoch * stepEvent.Progress.EpochSize + stepEvent.Progress.SamplesSeenInEpoch;
                _positioned = true;
            }

            task.Increment(stepEvent.Plan.BatchSize);
            task.Description = string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {stepEvent.Progress.Epoch + 1}/{epochs} B={stepEvent.Plan.BatchSize} loss={stepEvent.Result.Loss:F3}");
        }

        public void Epoch(EpochRecord r, double? distanceToRegion)
        {
            string distance = withDistance ? (distanceToRegion is { } d ? d.ToString("F3", CultureInfo.InvariantCulture) : "-").PadRight(8) : string.Empty;
            AnsiConsole.MarkupLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Epoch,5}  {r.BatchSize,5}  {r.LearningRate,-8:G4} {r.TrainError,9:P2}  {r.TestError,8:P2}   {r.CumulativeCondition,-10:G4} {r.CumulativeEnergy,-10:G4} {distance}{r.TrainSeconds + r.EvalSeconds,6:F1}s"));
        }

        public void Decision(DecisionRecord d)
        {
            if (d.From != d.To || d.Kind != "decision")
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(d.Kind)}[/] epoch {d.Epoch}: {Markup.Escape(d.Reason)}");
            }
        }
    }
}
