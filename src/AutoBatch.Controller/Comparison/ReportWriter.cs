using System.Text.Json;
using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Beacons.Plots;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Writes a comparison report into its folder: report.md, report.json and the SVG plots (history.svg, contour.svg
/// when the map is available, error.svg, cost.svg). Files are replaced atomically.
/// </summary>
public static class ReportWriter
{
    /// <summary>The markdown report.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>The JSON report.</summary>
    public const string JsonFile = "report.json";

    /// <summary>The travelling history (paper, Fig. 5).</summary>
    public const string HistoryFile = "history.svg";

    /// <summary>The map's error contour with the schedules' histories.</summary>
    public const string ContourFile = "contour.svg";

    /// <summary>Test error mean ± std per schedule.</summary>
    public const string ErrorFile = "error.svg";

    /// <summary>Iterations and training time per schedule.</summary>
    public const string CostFile = "cost.svg";

    /// <summary>Writes every file into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(ComparisonReport report, BeaconMap? map, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var files = new List<(string Name, string Text)>
        {
            (JsonFile, JsonSerializer.Serialize(report, CompareSpec.Json) + "\n"),
            (HistoryFile, ComparisonPlots.History(map, Series(report), $"Travelling history: {report.Model} on {report.Data}, {report.Spec.Epochs} epochs")),
            (ErrorFile, ErrorChart(report)),
            (CostFile, CostChart(report)),
        };
        if (map is not null)
        {
            files.Add((ContourFile, MapPlots.Contour(map, Series(report).Select(s => new PlotOverlay(s.Label, s.Points)).ToArray())));
        }

        files.Add((MarkdownFile, ReportMarkdown.Render(report, files.Select(f => f.Name).Where(n => n.EndsWith(".svg", StringComparison.Ordinal)).ToArray())));
        var paths = new List<string>();
        foreach ((string name, string text) in files)
        {
            string path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, text);
            paths.Add(path);
        }

        return paths;
    }

    private static HistorySeries[] Series(ComparisonReport report) =>
        report.Schedules.Where(s => s.History.Count > 0)
            .Select(s => new HistorySeries(s.Schedule, s.History.Select(h => h.Fraction).ToArray(), s.History.Select(h => new MeasurePoint(h.CumulativeCondition, h.CumulativeEnergy)).ToArray()))
            .ToArray();

    private static IntervalRow Row(ComparisonReport report, ScheduleResult s, MeanStd value, Func<RunResult, double> pick, double scale) =>
        new(
            s.Schedule,
            value.Mean * scale,
            value.Std * scale,
            report.Runs.Where(r => r.Schedule == s.Schedule && !r.Diverged).Select(r => pick(r) * scale).ToArray(),
            s.IsReference);

    private static string ErrorChart(ComparisonReport report)
    {
        var rows = report.Schedules.Select(s => Row(report, s, s.TestError, r => r.TestError, 100)).ToList();
        if (report.Reference.Source == "map")
        {
            MeanStd reference = MeanStd.Of(report.Reference.TestErrors.ToArray());
            rows.Add(new IntervalRow("map best beacon", reference.Mean * 100, reference.Std * 100, report.Reference.TestErrors.Select(e => e * 100).ToArray(), IsReference: true));
        }

        return ComparisonPlots.Intervals(
            $"Final test error per schedule: {report.Model} on {report.Data}",
            $"mean ± sample std over seeds (grey: single seeds); dashed: the reference, {report.Reference.Label}",
            [new IntervalPanel("test error (%)", rows)]);
    }

    // Training time only when every run trained on the same recorded machine: a panel of times from several machines
    // would put them side by side as if comparable.
    private static string CostChart(ComparisonReport report)
    {
        var panels = new List<IntervalPanel>
        {
            new("iterations (parameter updates)", report.Schedules.Select(s => Row(report, s, s.Iterations, r => r.Iterations, 1)).ToArray(), IncludeZero: true),
        };
        if (report.TimesComparable)
        {
            panels.Add(new("training time (s), this machine", report.Schedules.Select(s => Row(report, s, s.TrainSeconds, r => r.TrainSeconds, 1)).ToArray(), IncludeZero: true));
            if (report.Schedules.All(s => s.TrainCpuSeconds.Mean is not null))
            {
                panels.Add(new("training CPU time (s), this machine", report.Schedules.Select(s => Row(report, s, s.TrainCpuSeconds, r => r.TrainCpuSeconds, 1)).ToArray(), IncludeZero: true));
            }
        }

        return ComparisonPlots.Intervals(
            $"Cost per schedule: {report.Model} on {report.Data}, {report.Spec.Epochs} epochs",
            report.TimesComparable
                ? $"mean ± sample std over seeds (grey: single seeds); training time is the sum of the epochs' step time, probe included, on {(report.Machines.Count > 0 ? report.Machines[0] : "this machine")}"
                : "mean ± sample std over seeds (grey: single seeds); no time panel: the runs come from different machines",
            panels);
    }
}
