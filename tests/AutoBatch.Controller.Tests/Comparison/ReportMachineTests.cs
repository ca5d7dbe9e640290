using AutoBatch.Controller.Comparison;

namespace AutoBatch.Controller.Tests.Comparison;

/// <summary>
/// A comparison report puts times side by side only when they were measured on one machine; iterations are
/// always compared.
/// </summary>
public sealed class ReportMachineTests
{
    private static readonly CompareSpec Spec = new() { Map = "map.json", Schedules = ["best", "s64"], Seeds = [1, 2], Epochs = 5 };

    // best: 2.0 s per epoch (10 s), 1000 iterations; s64: 1.0 s per epoch (5 s), 500 iterations; machines per run.
    private static ComparisonReport Build(string? best1, string? best2, string? s1, string? s2)
    {
        string folder = SyntheticRuns.TempFolder();
        try
        {
            foreach ((string schedule, long seed, string? machine, long iterations, double seconds) in new[]
            {
                ("best", 1L, best1, 1000L, 2.0), ("best", 2L, best2, 1000L, 2.0), ("s64", 1L, s1, 500L, 1.0), ("s64", 2L, s2, 500L, 1.0),
            })
            {
                CompareRun run = SyntheticRuns.Run(schedule, seed);
                SyntheticRuns.Write(folder, run, SyntheticRuns.Summary(run, 0.1, iterations) with { Machine = machine }, SyntheticRuns.Epochs(seconds, 0.1));
            }

            return ReportBuilder.Build(folder, Spec, map: null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void OneMachineKeepsTheTimesAndNamesTheMachine()
    {
        ComparisonReport report = Build("cpu A", "cpu A", "cpu A", "cpu A");
        string md = ReportMarkdown.Render(report, []);
        Assert.Multiple(() =>
        {
            Assert.That(report.TimesComparable, Is.True);
            Assert.That(report.Machines, Is.EqualTo(new[] { "cpu A" }));
            Assert.That(report.Schedules[0].TrainSeconds.Mean, Is.EqualTo(10).Within(1e-12));
            Assert.That(report.Schedules[1].TrainSeconds.Mean, Is.EqualTo(5).Within(1e-12));
            Assert.That(md, Does.Contain("Times measured on cpu A (all runs)"));
            Assert.That(md, Does.Not.Contain("| machine |"));
        });
    }

    [Test]
    public void TwoMachinesLeaveTheSchedulesTimesOutButKeepIterations()
    {
        // The case seen in practice: the reference's runs from one machine, the other schedule's from another.
        ComparisonReport report = Build("cpu A", "cpu A", "cpu B", "cpu B");
        string md = ReportMarkdown.Render(report, []);
        ScheduleResult s64 = report.Schedules[1];
        Assert.Multiple(() =>
        {
            Assert.That(report.TimesComparable, Is.False);
            Assert.That(report.Machines, Is.EqualTo(new[] { "cpu A", "cpu B" }));
            Assert.That(s64.TrainSeconds.Mean, Is.Null);
            Assert.That(s64.ProbeSeconds.Mean, Is.Null);
            Assert.That(s64.SamplesPerSecond.Mean, Is.Null);
            Assert.That(s64.IterationsVersusReference, Is.EqualTo(-0.5).Within(1e-12));
            Assert.That(report.Runs.Single(r => r.Id == "s64-s1").TrainSeconds, Is.EqualTo(5).Within(1e-12), "each run keeps its own time");
            Assert.That(report.Notes, Has.Some.Contains("2 machines (cpu A; cpu B)"));
            Assert.That(md, Does.Contain("| s64 | 10.00% ± 0.00 | undefined | – | – | – | 500 | −50% | – |"));
            Assert.That(md, Does.Contain("| machine |").And.Contain("| cpu B |"));
        });
    }

    [Test]
    public void AKnownMachineBesideAnUnrecordedOneIsNotComparable()
    {
        ComparisonReport mixed = Build("cpu A", "cpu A", null, null);
        ComparisonReport old = Build(null, null, null, null);
        Assert.Multiple(() =>
        {
            Assert.That(mixed.TimesComparable, Is.False);
            Assert.That(mixed.Schedules[1].TrainSeconds.Mean, Is.Null);
            // Summaries from before the machine was recorded: shown as before, with a note.
            Assert.That(old.TimesComparable, Is.True);
            Assert.That(old.Schedules[1].TrainSeconds.Mean, Is.EqualTo(5).Within(1e-12));
            Assert.That(old.Notes, Has.Some.Contains("do not record their machine"));
        });
    }

    [Test]
    public void TheCostPlotHasATimePanelOnlyForOneMachine()
    {
        string one = SvgOf(Build("cpu A", "cpu A", "cpu A", "cpu A"));
        string two = SvgOf(Build("cpu A", "cpu A", "cpu B", "cpu B"));
        Assert.Multiple(() =>
        {
            Assert.That(one, Does.Contain("training time (s), this machine"));
            Assert.That(two, Does.Not.Contain("training time"));
            Assert.That(two, Does.Contain("iterations (parameter updates)"));
        });
    }

    private static string SvgOf(ComparisonReport report)
    {
        string folder = SyntheticRuns.TempFolder();
        try
        {
            ReportWriter.Write(report, map: null, folder);
            return File.ReadAllText(Path.Combine(folder, "cost.svg"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
