using System.Text.RegularExpressions;

namespace AutoBatch.Controller.Tests.Docs;

/// <summary>
/// docs/DESIGN.md is where code comments point for the design, and its table says which file computes each quantity:
/// every repository path it names in backticks must exist, or the page sends a newcomer to a file that moved.
/// </summary>
public sealed partial class DesignDocTests
{
    private const string DesignPage = "docs/DESIGN.md";

    /// <summary>The symbols whose computing file the page must name (a row of its table each).</summary>
    private static readonly string[] TableSymbols = ["c_k", "l_k", "C̄_K, L_K", "F̃", "the IDW surface", "the optimum region", "δ", "the margin m", "seconds per sample by B", "B_simple"];

    [Test]
    public void EveryPathTheDesignPageNamesExists()
    {
        string root = RepositoryRoot();
        string text = File.ReadAllText(Path.Combine(root, DesignPage));
        IReadOnlyList<string> paths = RepositoryPaths(text);
        // Guards the extraction itself: the symbol table alone names more than ten files.
        Assert.That(paths, Has.Count.GreaterThan(10), "paths found in " + DesignPage);
        Assert.That(MissingPaths(paths, root), Is.Empty, DesignPage + " names files that do not exist in the checkout");
    }

    [Test]
    public void TheSymbolTableNamesAFileForEverySymbol()
    {
        string[] rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), DesignPage)).Where(l => l.StartsWith('|')).ToArray();
        foreach (string symbol in TableSymbols)
        {
            string? row = rows.FirstOrDefault(r => r.Split('|', StringSplitOptions.TrimEntries).ElementAtOrDefault(1)?.StartsWith(symbol, StringComparison.Ordinal) == true);
            Assert.That(row, Is.Not.Null, $"no table row for {symbol}");
            Assert.That(RepositoryPaths(row!), Is.Not.Empty, $"the row for {symbol} names no file");
        }
    }

    [TestCase("see `src/AutoBatch.Engine/Probe/FisherAccumulator.cs` and `docs/NOPE.md`", "docs/NOPE.md")]
    [TestCase("`src/AutoBatch.Controller/Policies/MapModel.cs:24-25` and `src/AutoBatch.Controller/Policies/Gone.cs:12`", "src/AutoBatch.Controller/Policies/Gone.cs")]
    [TestCase("`AutoBatch.sln`, `runs/<schedule id>-s<seed>/`, `α/B`, `--probe-interval` and `src/AutoBatch.Engine/` are not file paths", "")]
    public void AMissingPathIsReported(string text, string missing)
    {
        Assert.That(string.Join(";", MissingPaths(RepositoryPaths(text), RepositoryRoot())), Is.EqualTo(missing));
    }

    /// <summary>
    /// Backticked spans that look like repository file paths: no spaces, a '/', and a last segment with an extension;
    /// a trailing <c>:line</c> or <c>:first-last</c> is dropped.
    /// </summary>
    public static IReadOnlyList<string> RepositoryPaths(string markdown) =>
        BacktickSpan().Matches(markdown)
            .Select(m => LineSuffix().Replace(m.Groups["span"].Value, string.Empty))
            .Where(p => p.Contains('/', StringComparison.Ordinal) && !p.Contains('<', StringComparison.Ordinal) && !p.Contains('*', StringComparison.Ordinal)
                && !p.Contains("://", StringComparison.Ordinal) && FileExtension().IsMatch(p))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The paths of <paramref name="paths"/> that are no file under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> MissingPaths(IEnumerable<string> paths, string root) =>
        paths.Where(p => !File.Exists(Path.Combine(root, p))).ToArray();

    private static string RepositoryRoot()
    {
        for (string? d = TestContext.CurrentContext.TestDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "AutoBatch.sln")))
            {
                return d;
            }
        }

        throw new InvalidOperationException("AutoBatch.sln not found above the test's folder.");
    }

    [GeneratedRegex(@"`(?<span>[^`\s]+)`")]
    private static partial Regex BacktickSpan();

    [GeneratedRegex(@":\d+(-\d+)?$")]
    private static partial Regex LineSuffix();

    [GeneratedRegex(@"/[^/]*\.[A-Za-z][A-Za-z0-9]*$")]
    private static partial Regex FileExtension();
}
