using System.Globalization;
using System.Text;

namespace AutoBatch.Controller.Comparison;

/// <summary>Formats a <see cref="ComparisonReport"/> as report.md.</summary>
public static class ReportMarkdown
{
    /// <summary>The markdown text; <paramref name="plots"/> are the SVG file names written next to it.</summary>
    public static string Render(ComparisonReport report, IReadOnlyList<string> plots)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(plots);
        var md = new StringBuilder();
        CompareSpec spec = report.Spec;
        md.AppendLine(Invariant($"# Comparison: {report.Model} on {report.Data}"));
        md.AppendLine();
        md.AppendLine(Invariant($"- Map: `{spec.Map}`; {spec.Epochs} epochs; training subset {spec.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}; seeds {string.Join(", ", spec.Seeds)}; α on a batch change: {spec.LearningRateRule?.ToString() ?? "the run verb's default"}."));
        md.AppendLine(Invariant($"- Reference for the p-values: {report.Reference.Label}."));
        md.AppendLine(report.TimesComparable
            ? $"- Times measured on {(report.Machines.Count == 1 ? report.Machines[0] : "this machine")} (all runs); the map's beacon times, recorded on the map's machine, are not used."
            : "- Times: not compared, the runs come from different machines (see the notes).");
        md.AppendLine(Invariant($"- Generated {report.Generated}; rebuild with `autobatch report --compare <this folder>`."));
        md.AppendLine();
        md.AppendLine("| schedule | test error (mean ± std) | p vs reference | train time (s) | train CPU (s) | probe time (s) | iterations | vs reference | samples/s | B changes | diverged | seeds |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (ScheduleResult s in report.Schedules)
        {
            md.AppendLine(string.Join(" | ", new[]
            {
                "| " + (s.IsReference ? $"**{s.Schedule}**" : s.Schedule),
                Percent(s.TestError),
                s.IsReference ? "reference" : P(s.VersusReference),
                Number(s.TrainSeconds, "F1"),
                Number(s.TrainCpuSeconds, "F1"),
                Number(s.ProbeSeconds, "F2"),
                s.Iterations.Mean is { } it ? it.ToString("N0", CultureInfo.InvariantCulture) : "–",
                s.IterationsVersusReference is { } d ? d.ToString("+0%;−0%;0%", CultureInfo.InvariantCulture) : "–",
                s.SamplesPerSecond.Mean is { } sps ? sps.ToString("N0", CultureInfo.InvariantCulture) : "–",
                s.BatchSizeChanges.Mean is { } c ? c.ToString("0.#", CultureInfo.InvariantCulture) : "–",
                s.Diverged.ToString(CultureInfo.InvariantCulture),
                Invariant($"{s.Finished}/{s.Seeds}") + " |",
            }));
        }

        if (report.Reference.Source == "map")
        {
            MeanStd r = MeanStd.Of(report.Reference.TestErrors.ToArray());
            md.AppendLine(Invariant($"| *map best beacon* | {Percent(r)} | reference | – | – | {(report.Reference.Iterations is { } ri ? ri.ToString("N0", CultureInfo.InvariantCulture) : "–")} | – | – | 0 | – | {r.Count} (map) |"));
        }

        md.AppendLine();
        md.AppendLine("Statistics are over each schedule's finished, non-diverged seeds; std is the sample standard deviation (n − 1). "
            + "p: Welch's two-sample t-test, two-sided. Train time: the sum of the epochs' step time, probe included (wall clock, so it carries the machine's load); train CPU: the CPU time the process spent over the same steps, every thread counted (hardly moved by other processes); "
            + "iterations: parameter updates; \"vs reference\": mean iterations relative to the reference's.");
        IEnumerable<string> undefined = report.Schedules.Where(s => s.VersusReference?.Undefined is not null)
            .Select(s => $"- {s.Schedule}: p undefined, {s.VersusReference!.Undefined}.");
        foreach (string line in undefined.Concat(report.Notes.Select(n => $"- {n}")))
        {
            md.AppendLine(line);
        }

        md.AppendLine();
        if (report.Missing.Count > 0)
        {
            md.AppendLine(Invariant($"## Missing runs ({report.Missing.Count} of {spec.Schedules.Count * spec.Seeds.Count})"));
            md.AppendLine();
            md.AppendLine("Rerun the same `autobatch compare` command to finish them; finished runs are kept.");
            md.AppendLine();
            foreach (string m in report.Missing)
            {
                md.AppendLine($"- {m}");
            }

            md.AppendLine();
        }

        md.AppendLine("## Plots");
        md.AppendLine();
        foreach (string plot in plots)
        {
            md.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})");
            md.AppendLine();
        }

        md.AppendLine("## Runs");
        md.AppendLine();
        // Each run's time is its own; when the runs come from several machines the table says which machine it is.
        bool machineColumn = !report.TimesComparable;
        md.AppendLine("| run | test error | iterations | train time (s) | train CPU (s) | probe time (s) | samples/s | B changes | rollbacks | diverged |" + (machineColumn ? " machine |" : string.Empty));
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |" + (machineColumn ? " --- |" : string.Empty));
        foreach (RunResult r in report.Runs)
        {
            md.AppendLine(Invariant(
                $"| {r.Id} | {100 * r.TestError:F2}% | {r.Iterations:N0} | {r.TrainSeconds:F1} | {r.TrainCpuSeconds:F1} | {r.ProbeSeconds:F2} | {r.SamplesPerSecond:N0} | {r.BatchSizeChanges} | {r.Rollbacks} | {(r.Diverged ? "yes" : "no")} |")
                + (machineColumn ? $" {r.Machine ?? "unknown"} |" : string.Empty));
        }

        return md.ToString();
    }

    /// <summary>A p-value as the report prints it: three decimals, "&lt; 0.001" below that, "undefined" without one.</summary>
    public static string P(WelchResult? welch) => welch?.PValue switch
    {
        null => "undefined",
        < 0.001 => "< 0.001",
        { } p => p.ToString("F3", CultureInfo.InvariantCulture),
    };

    private static string Percent(MeanStd m) => m.Mean switch
    {
        null => "–",
        { } mean when m.Std is { } std => Invariant($"{100 * mean:F2}% ± {100 * std:F2}"),
        { } mean => Invariant($"{100 * mean:F2}% (1 seed)"),
    };

    private static string Number(MeanStd m, string format) => m.Mean switch
    {
        null => "–",
        { } mean when m.Std is { } std => $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}",
        { } mean => mean.ToString(format, CultureInfo.InvariantCulture),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
