using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using AutoBatch.Beacons.Maps;
using AutoBatch.Engine;

namespace AutoBatch.Beacons.Tests.Maps;

/// <summary>
/// Bounded-time, seeded fuzzing of <see cref="BeaconMapFile.Read"/>: random structural edits (a field removed, set to
/// null, a negative or huge number, a string, an empty array or object) and byte-level damage of a valid map must be
/// refused with a <see cref="UserInputException"/> naming the file, or read as a valid map; never a
/// NullReferenceException, KeyNotFoundException or other crash deep inside a later computation.
/// </summary>
public sealed class MapFileFuzzTests
{
    // At least MinMutants (seeded), more while the budget lasts, never beyond the hard cap.
    private const int MinMutants = 150;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HardCap = TimeSpan.FromSeconds(5);

    private static readonly Func<Random, JsonNode?>[] Replacements =
    [
        _ => null,
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(0),
        r => JsonValue.Create(-r.NextDouble()),
        _ => JsonValue.Create(1e300),
        _ => JsonValue.Create(int.MaxValue),
        _ => JsonValue.Create("x"),
        _ => JsonValue.Create(true),
        _ => new JsonArray(),
        _ => new JsonObject(),
    ];

    [TestCase(true, 91)]
    [TestCase(false, 92)]
    public void MutatedMapsAreReadOrRefusedNamingTheFile(bool structural, int seed)
    {
        using var folder = new TempFolder();
        string path = folder.File("fuzzed-map.json");
        string valid = SmallValidMap();
        File.WriteAllText(path, valid);
        Assert.That(() => BeaconMapFile.Read(path), Throws.Nothing, "the unmutated map is valid");
        var rng = new Random(seed);
        var failures = new List<string>();
        int iterations = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        while ((clock.Elapsed < Budget || iterations < MinMutants) && clock.Elapsed < HardCap && failures.Count < 5)
        {
            string mutant = structural ? MutateStructure(valid, rng) : MutateBytes(valid, rng);
            File.WriteAllText(path, mutant);
            iterations++;
            try
            {
                BeaconMapFile.Read(path);
            }
            catch (UserInputException ex)
            {
                refused++;
                if (!ex.Message.StartsWith(path + ": ", StringComparison.Ordinal))
                {
                    failures.Add($"iteration {iterations}: message does not start with the file: {ex.Message}");
                }
            }
            catch (Exception ex)
            {
                failures.Add($"iteration {iterations}: {ex.GetType().Name}: {ex.Message}\n{Describe(valid, mutant)}");
            }
        }

        TestContext.Out.WriteLine($"{iterations} mutants of a {valid.Length}-character map, {refused} refused, in {clock.ElapsedMilliseconds} ms");
        Assert.That(failures, Is.Empty);
        Assert.That(iterations, Is.GreaterThanOrEqualTo(MinMutants));
        Assert.That(valid, Has.Length.LessThan(20_000), "a small map, so that the budget buys many mutants");
        Assert.That(refused, Is.GreaterThan(0), "the mutations must reach the checks");
    }

    /// <summary>
    /// A built map cut down to a few kilobytes so that each mutant reads in well under a millisecond: one trajectory
    /// snapshot, one early-prediction fraction with three predictions, and 2 x 2 surfaces (the reader accepts any
    /// size from 2). Every kind of field is still there for the mutations to hit.
    /// </summary>
    private static string SmallValidMap()
    {
        (var grid, IReadOnlyList<BeaconRun> runs) = SyntheticBeacons.Realistic(epochs: 2, seedCount: 1);
        JsonObject map = JsonNode.Parse(BeaconMapFile.ToJson(BeaconMapBuilder.Build(grid, runs, SyntheticBeacons.Provenance)))!.AsObject();
        JsonObject derived = map["derived"]!.AsObject();
        Truncate(derived["trajectory"]!.AsArray(), 1);
        Truncate(derived["earlyPrediction"]!.AsArray(), 1);
        Truncate(derived["earlyPrediction"]![0]!["predictions"]!.AsArray(), 3);
        Truncate(map["runs"]!.AsArray(), 6);
        foreach (JsonNode region in new[] { derived["region"]!, derived["trajectory"]![0]!["region"]! })
        {
            JsonObject surface = region["surface"]!.AsObject();
            JsonArray rows = surface["values"]!.AsArray();
            double Corner(int r, int c) => rows[r]![c]!.GetValue<double>();
            int last = rows.Count - 1;
            surface["size"] = 2;
            surface["values"] = new JsonArray(new JsonArray(Corner(0, 0), Corner(0, last)), new JsonArray(Corner(last, 0), Corner(last, last)));
        }

        return map.ToJsonString();
    }

    private static void Truncate(JsonArray array, int count)
    {
        while (array.Count > count)
        {
            array.RemoveAt(array.Count - 1);
        }
    }

    private static string MutateStructure(string valid, Random rng)
    {
        JsonNode root = JsonNode.Parse(valid)!;
        int edits = 1 + rng.Next(2);
        for (int e = 0; e < edits; e++)
        {
            var slots = new List<(JsonNode Parent, string? Key, int Index)>();
            Collect(root, slots);
            (JsonNode parent, string? key, int index) = slots[rng.Next(slots.Count)];
            bool remove = rng.Next(4) == 0;
            if (parent is JsonObject o)
            {
                if (remove)
                {
                    o.Remove(key!);
                }
                else
                {
                    o[key!] = Replacements[rng.Next(Replacements.Length)](rng);
                }
            }
            else if (parent is JsonArray a)
            {
                if (remove)
                {
                    a.RemoveAt(index);
                }
                else
                {
                    a[index] = Replacements[rng.Next(Replacements.Length)](rng);
                }
            }
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> p in o.ToArray())
                {
                    slots.Add((o, p.Key, -1));
                    if (p.Value is not null)
                    {
                        Collect(p.Value, slots);
                    }
                }

                break;
            case JsonArray a:
                // The first two and the last element of each array: otherwise the surfaces' thousands of numbers
                // would take nearly every edit away from the grid, the runs and the regions.
                foreach (int i in Enumerable.Range(0, a.Count).Where(i => i < 2 || i == a.Count - 1))
                {
                    slots.Add((a, null, i));
                    if (a[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }

    private static string MutateBytes(string valid, Random rng)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(valid);
        switch (rng.Next(3))
        {
            case 0:
                return Encoding.UTF8.GetString(bytes[..rng.Next(bytes.Length)]);
            case 1:
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                return Encoding.Latin1.GetString(bytes);
            default:
                // A digit changed to another keeps the JSON valid and moves a number somewhere unexpected.
                int at = Array.FindIndex(bytes, rng.Next(bytes.Length), b => b is >= (byte)'0' and <= (byte)'9');
                if (at >= 0)
                {
                    bytes[at] = (byte)('0' + rng.Next(10));
                }

                return Encoding.UTF8.GetString(bytes);
        }
    }

    private static string Describe(string valid, string mutant)
    {
        int at = 0;
        while (at < Math.Min(valid.Length, mutant.Length) && valid[at] == mutant[at])
        {
            at++;
        }

        int from = Math.Max(0, at - 80);
        return $"first difference at {at}: ...{mutant[from..Math.Min(mutant.Length, at + 80)]}...";
    }
}
