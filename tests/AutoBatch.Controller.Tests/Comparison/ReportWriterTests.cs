using System.Xml.Linq;
using AutoBatch.Controller.Comparison;

namespace AutoBatch.Controller.Tests.Comparison;

public sealed class ReportWriterTests
{
    private static readonly CompareSpec Spec = new() { Map = "map.json", Schedules = ["closed-loop", "s32"], Seeds = [1, 2], Epochs = 5 };

    private static string WriteRuns()
    {
        string folder = SyntheticRuns.TempFolder();
        for (int s = 1; s <= 2; s++)
        {
            CompareRun loop = SyntheticRuns.Run("closed-loop", s);
            SyntheticRuns.Write(folder, loop, SyntheticRuns.Summary(loop, 0.1 + 0.01 * s, 600), SyntheticRuns.Epochs(1, 0.1, e => (100.0 * e, 0.5 * e)));
        }

        CompareRun s32 = SyntheticRuns.Run("s32", 1);
        SyntheticRuns.Write(folder, s32, SyntheticRuns.Summary(s32, 0.2, 900), SyntheticRuns.Epochs(1, 0, e => (50.0 * e, 1.0 * e)));
        return folder;
    }

    [Test]
    public void WritesMarkdownJsonAndWellFormedPlots()
    {
        string folder = WriteRuns();
        ComparisonReport report = ReportBuilder.Build(folder, Spec, ReportBuilderTests.Map());
        IReadOnlyList<string> files = ReportWriter.Write(report, ReportBuilderTests.Map(), folder);
        string md = File.ReadAllText(Path.Combine(folder, ReportWriter.MarkdownFile));
        XDocument history = XDocument.Parse(File.ReadAllText(Path.Combine(folder, ReportWriter.HistoryFile)));
        Assert.Multiple(() =>
        {
            Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(new[] { "report.json", "report.md", "history.svg", "contour.svg", "error.svg", "cost.svg" }));
            foreach (string svg in files.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)))
            {
                Assert.That(() => XDocument.Parse(File.ReadAllText(svg)), Throws.Nothing, svg);
            }

            // Six fractions per schedule with measures; the map's two configurations as grey beacons.
            Assert.That(history.Descendants().Count(e => (string?)e.Attribute("class") == "history-point"), Is.EqualTo(12));
            Assert.That(history.Descendants().Count(e => (string?)e.Attribute("class") == "beacon"), Is.EqualTo(2));
            Assert.That(md, Does.Contain("| closed-loop | 11.50% ± 0.71 |"));
            Assert.That(md, Does.Contain("s32: p undefined, needs at least 2 values"));
            Assert.That(md, Does.Contain("## Missing runs (1 of 4)"));
            Assert.That(md, Does.Contain("- s32-s2: not started"));
            Assert.That(File.ReadAllText(Path.Combine(folder, ReportWriter.JsonFile)), Does.Contain("\"pValue\""));
        });
    }

    [Test]
    public void WithoutTheMapThereIsNoContourAndNoReference()
    {
        string folder = WriteRuns();
        ComparisonReport report = ReportBuilder.Build(folder, Spec, map: null);
        IReadOnlyList<string> files = ReportWriter.Write(report, null, folder);
        Assert.Multiple(() =>
        {
            Assert.That(files.Select(Path.GetFileName), Does.Not.Contain("contour.svg"));
            Assert.That(report.Reference.Source, Is.EqualTo("none"));
            Assert.That(report.Schedules.Select(s => s.VersusReference), Is.All.Null);
            Assert.That(File.ReadAllText(Path.Combine(folder, ReportWriter.MarkdownFile)), Does.Contain("No reference"));
        });
    }

    [TestCase(0.0004, "< 0.001")]
    [TestCase(0.71404, "0.714")]
    [TestCase(null, "undefined")]
    public void PValuesArePrintedReadably(double? p, string expected) =>
        Assert.That(ReportMarkdown.P(p is null ? new WelchResult { Undefined = "x" } : new WelchResult { PValue = p }), Is.EqualTo(expected));
}
