using System.Text.RegularExpressions;

namespace AutoBatch.Controller.Tests.Docs;

/// <summary>
/// The layout rules a newcomer relies on, checked on the source files themselves: in the Controller a folder is a
/// namespace and the folders depend on each other without a cycle (so each can be read, and moved, from the bottom
/// up); orchestration names no verb, the host or the library; and no C# source file grows past
/// <see cref="MaxLines"/> lines.
/// </summary>
/// <remarks>
/// A folder depends on another when one of its files names that namespace: a <c>using</c> directive, or a type
/// qualified by the namespace (<c>GridRuns.MachineInfo</c>, <c>Verbs.Run.RunOptions</c>). The compiler needs one of the
/// two for every type of a sibling namespace, so the graph is complete; an unused <c>using</c> counts too, which keeps
/// the directives honest. A nested folder (<c>Verbs/Run</c>) is a folder of its own; since C# lets a nested namespace
/// use its parents' types unnamed, a folder that holds folders holds no files.
/// </remarks>
public sealed partial class SourceLayoutTests
{
    private const string Controller = "src/AutoBatch.Controller";

    /// <summary>The largest source file allowed, in lines.</summary>
    private const int MaxLines = 400;

    /// <summary>The folders that run training, grids and comparisons: they know no verb, host or library.</summary>
    private static readonly string[] Orchestration = ["Policies", "Output", "Runs", "Display", "Processes", "GridRuns", "Comparison"];

    [Test]
    public void EveryControllerFileIsInTheNamespaceOfItsFolder()
    {
        string root = Path.Combine(RepositoryRoot(), Controller);
        var misplaced = new List<string>();
        foreach (string file in SourceFiles(root))
        {
            string? ns = NamespaceOf(File.ReadAllText(file));
            string folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!);
            string expected = folder == "." ? "AutoBatch.Controller" : "AutoBatch.Controller." + folder.Replace(Path.DirectorySeparatorChar, '.');
            // Program.cs holds the top-level statements, which have no namespace.
            if (ns is not null && ns != expected)
            {
                misplaced.Add($"{Path.GetRelativePath(root, file)}: namespace {ns}, expected {expected}");
            }
        }

        Assert.That(misplaced, Is.Empty);
    }

    [Test]
    public void TheControllersFoldersDependOnEachOtherWithoutACycle()
    {
        Dictionary<string, HashSet<string>> graph = FolderGraph(Path.Combine(RepositoryRoot(), Controller));
        // Guards the extraction: the run verb's slice alone uses five other folders, one of them a nested one.
        Assert.That(graph.GetValueOrDefault("Verbs.Run"), Has.Count.GreaterThanOrEqualTo(5), "edges found from Verbs.Run");
        Assert.That(graph.GetValueOrDefault("Verbs.Compare"), Does.Contain("Verbs.Run"), "edges found from Verbs.Compare");
        Assert.That(Cycle(graph), Is.Empty, "a cycle between the Controller's folders");
    }

    [Test]
    public void OrchestrationNamesNoVerbNorTheHostNorTheLibrary_AndTheHostNoVerb()
    {
        Dictionary<string, HashSet<string>> graph = FolderGraph(Path.Combine(RepositoryRoot(), Controller));
        static bool IsVerb(string folder) => folder == "Verbs" || folder.StartsWith("Verbs.", StringComparison.Ordinal);
        string[] wrong = [.. Orchestration.SelectMany(f => graph.GetValueOrDefault(f, []).Where(t => IsVerb(t) || t is "Hosting" or "Library").Select(t => $"{f} -> {t}"))
            .Concat(graph.GetValueOrDefault("Hosting", []).Where(IsVerb).Select(t => $"Hosting -> {t}"))];
        Assert.That(Orchestration, Is.SubsetOf(graph.Keys), "orchestration folders found");
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void OrchestrationSpellsNoFlag_ItNamesSettingsThroughItsCallersVocabulary()
    {
        // Allowed: the identity keys of checkpoints written when they were flags (a file format, read as settings), and
        // the two places that tell the user a command to type (run's final table, a comparison report's footer).
        string[] allowed = ["Runs/RunIdentity.cs", "Display/RunResultTable.cs", "Comparison/ReportMarkdown.cs"];
        string root = RepositoryRoot();
        string[] files = [.. Orchestration.SelectMany(f => SourceFiles(Path.Combine(root, Controller, f)))
            .Concat(SourceFiles(Path.Combine(root, "src/AutoBatch.Beacons/Grid")))];
        Assert.That(files, Has.Length.GreaterThan(50), "orchestration files found");
        string[] flags = [.. files
            .Where(f => !allowed.Any(a => f.EndsWith(a, StringComparison.Ordinal)))
            .SelectMany(f => FlagInString().Matches(Comment().Replace(File.ReadAllText(f), string.Empty)).Select(m => $"{Path.GetRelativePath(root, f)}: {m.Value}"))];
        Assert.That(flags, Is.Empty);
        Assert.That(FlagInString().IsMatch("throw new UserInputException(\"--output\", \"in use\");"), Is.True, "the pattern finds a flag");
    }

    [Test]
    public void AFolderThatHoldsFoldersHoldsNoFiles()
    {
        string root = Path.Combine(RepositoryRoot(), Controller);
        string[] folders = [.. SourceFiles(root).Select(f => NamespaceOf(File.ReadAllText(f))).OfType<string>().Select(Folder).Where(f => f.Length > 0).Distinct()];
        Assert.That(folders, Does.Contain("Verbs.Run"), "nested folders found");
        Assert.That(folders.Where(f => folders.Any(g => g.StartsWith(f + ".", StringComparison.Ordinal))), Is.Empty);
    }

    [Test]
    public void NoSourceFileIsLongerThanTheLimit()
    {
        string root = RepositoryRoot();
        string[] files = [.. new[] { "src", "tests", "bench" }.SelectMany(d => SourceFiles(Path.Combine(root, d)))];
        Assert.That(files, Has.Length.GreaterThan(300), "C# files found");
        string[] tooLong = [.. files
            .Select(f => (Path: Path.GetRelativePath(root, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.Path}: {f.Lines} lines")];
        Assert.That(tooLong, Is.Empty);
    }

    [Test]
    public void TheCycleFinderFindsACycleAndOnlyACycle()
    {
        var acyclic = new Dictionary<string, HashSet<string>>
        {
            ["Hosting"] = ["Runs", "Policies"],
            ["Runs"] = ["Policies", "Output"],
            ["Output"] = ["Policies"],
        };
        var cyclic = new Dictionary<string, HashSet<string>>(acyclic) { ["Output"] = ["Policies", "Hosting"] };

        Assert.That(Cycle(acyclic), Is.Empty);
        Assert.That(Cycle(cyclic), Is.EqualTo(new[] { "Hosting", "Runs", "Output", "Hosting" }));
    }

    [Test]
    public void TheGraphCountsUsingsAndQualifiedNames()
    {
        string folder = Directory.CreateTempSubdirectory("autobatch-layout-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "Runs"));
            Directory.CreateDirectory(Path.Combine(folder, "Output"));
            Directory.CreateDirectory(Path.Combine(folder, "Verbs", "Run"));
            Directory.CreateDirectory(Path.Combine(folder, "Verbs", "Compare"));
            File.WriteAllText(Path.Combine(folder, "Runs", "A.cs"), "using AutoBatch.Controller.Output;\nnamespace AutoBatch.Controller.Runs;\n");
            File.WriteAllText(Path.Combine(folder, "Output", "B.cs"), "namespace AutoBatch.Controller.Output;\n// Runs.Ignored in a comment\nclass B { object c = Runs.RunSession.X; }\n");
            File.WriteAllText(Path.Combine(folder, "Verbs", "Run", "C.cs"), "using AutoBatch.Controller.Runs;\nnamespace AutoBatch.Controller.Verbs.Run;\n");
            File.WriteAllText(Path.Combine(folder, "Verbs", "Compare", "D.cs"), "namespace AutoBatch.Controller.Verbs.Compare;\nclass D { object o = Run.RunOptions.X; object p = Verbs.Run.C.Y; }\n");

            Dictionary<string, HashSet<string>> graph = FolderGraph(folder);

            Assert.That(graph["Runs"], Is.EquivalentTo(new[] { "Output" }));
            Assert.That(graph["Output"], Is.EquivalentTo(new[] { "Runs" }));
            Assert.That(graph["Verbs.Run"], Is.EquivalentTo(new[] { "Runs" }));
            Assert.That(graph["Verbs.Compare"], Is.EquivalentTo(new[] { "Verbs.Run" }), "a sibling named from the parent namespace, and in full");
            Assert.That(Cycle(graph), Has.Count.EqualTo(3));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Folder (its namespace below the Controller's, e.g. <c>Verbs.Run</c>) to the folders its files name.</summary>
    private static Dictionary<string, HashSet<string>> FolderGraph(string root)
    {
        var files = SourceFiles(root).Select(f => (Text: File.ReadAllText(f), Namespace: NamespaceOf(File.ReadAllText(f)))).Where(f => f.Namespace is not null).ToArray();
        var folders = files.Select(f => Folder(f.Namespace!)).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach ((string text, string? ns) in files)
        {
            string from = Folder(ns!);
            HashSet<string> to = graph.TryGetValue(from, out HashSet<string>? known) ? known : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            string code = Comment().Replace(text, string.Empty);
            foreach (Match m in UsingDirective().Matches(code))
            {
                to.Add(m.Groups["folder"].Value);
            }

            foreach (Match m in QualifiedName().Matches(code))
            {
                if (Resolve(m.Groups["folder"].Value, from, folders) is { } named)
                {
                    to.Add(named);
                }
            }

            to.Remove(from);
            to.Remove(string.Empty);
        }

        return graph;
    }

    /// <summary>One cycle of <paramref name="graph"/> as the folders along it (first = last), or empty when there is none.</summary>
    private static List<string> Cycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path; true: done
        var path = new List<string>();
        foreach (string start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return [];

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out bool done))
            {
                return done ? null : [.. path.Skip(path.IndexOf(node)), node];
            }

            state[node] = false;
            path.Add(node);
            foreach (string next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = true;
            return null;
        }
    }

    private static string Folder(string ns) => ns == "AutoBatch.Controller" ? string.Empty : ns["AutoBatch.Controller.".Length..];

    /// <summary>
    /// The folder a qualified name <paramref name="chain"/> (<c>Run.RunOptions</c>, all but its last part) names from a
    /// file of folder <paramref name="from"/>, as C# looks it up: the longest prefix of the chain that is a folder
    /// below <paramref name="from"/>, one of its parents or the root; null when it names none (a type's member).
    /// </summary>
    private static string? Resolve(string chain, string from, HashSet<string> folders)
    {
        string[] parts = chain.Split('.');
        for (string? scope = from; scope is not null; scope = scope.Length == 0 ? null : scope.Contains('.', StringComparison.Ordinal) ? scope[..scope.LastIndexOf('.')] : string.Empty)
        {
            for (int n = parts.Length; n > 0; n--)
            {
                string prefix = string.Join('.', parts.Take(n));
                string candidate = scope.Length == 0 ? prefix : $"{scope}.{prefix}";
                if (folders.Contains(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? NamespaceOf(string text) => FileScopedNamespace().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

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

    [GeneratedRegex(@"^namespace (AutoBatch\.Controller(?:\.[\w.]+)?);", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"^using AutoBatch\.Controller\.(?<folder>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:AutoBatch\.Controller\.)?(?<folder>[A-Z]\w*(?:\.[A-Z]\w*)*)\.[A-Z]\w*")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comment();

    // A string literal (plain or interpolated) holding a flag, e.g. "--batch-size" or $"... --output ...".
    [GeneratedRegex(@"""[^""\n]*(?<![\w-])--[a-z][\w-]*[^""\n]*""")]
    private static partial Regex FlagInString();
}
