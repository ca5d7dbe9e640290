using System.Diagnostics;
using System.Text.Json.Nodes;
using AutoBatch.Beacons.Grid;

namespace AutoBatch.Controller.Tests;

/// <summary>What a command wrote into a folder, for comparing one execution with another.</summary>
internal static class FolderContents
{
    // Wall times: the only values two executions of one command do not share (docs/RELIABILITY.md). "seconds" is the
    // planner's measured throughput in the checkpoint (seconds of the epochs at one batch size).
    private static readonly HashSet<string> WallTimes = new(StringComparer.Ordinal)
    {
        "trainSeconds", "trainCpuSeconds", "probeSeconds", "evalSeconds", "samplesPerSecond", "wallSeconds",
        "train_seconds", "probe_seconds", "eval_seconds", "seconds",
    };

    /// <summary>
    /// Every file under <paramref name="folder"/> by relative path, with its exact content except wall times, which are
    /// zeroed in JSON, JSON-lines and CSV files (a safetensors file is its header, metadata included, and a hash of its
    /// data). Files whose name is in <paramref name="ignored"/> are listed with an empty content (they must exist in
    /// both, but their text holds dates). With <paramref name="withoutCommands"/> the command lines kept in summaries and
    /// checkpoints are left out too: a grid's or comparison's child has its parent's pid in its command.
    /// </summary>
    public static SortedDictionary<string, string> Of(string folder, bool withoutCommands = false, params string[] ignored)
    {
        var contents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(folder, file);
            contents[name] = ignored.Contains(Path.GetFileName(file)) ? string.Empty : Path.GetExtension(file) switch
            {
                ".json" => WithoutWallTimes(JsonNode.Parse(File.ReadAllText(file)), withoutCommands),
                ".jsonl" => string.Join('\n', File.ReadAllText(file).Split('\n').Select(line => line.Length == 0 ? line : WithoutWallTimes(JsonNode.Parse(line), withoutCommands))),
                ".csv" => CsvWithoutWallTimes(File.ReadAllLines(file)),
                ".safetensors" => SafeTensors(File.ReadAllBytes(file), withoutCommands),
                ".svg" or ".md" or ".log" => File.ReadAllText(file),
                _ => Convert.ToBase64String(File.ReadAllBytes(file)),
            };
        }

        return contents;
    }

    /// <summary>Waits until <paramref name="process"/> holds <paramref name="folder"/> (its owner record is there); fails if it ends first.</summary>
    public static async Task WaitForOwner(string folder, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(folder, FolderLock.OwnerName)))
        {
            Assert.That(process.HasExited, Is.False, $"the process ended (exit {(process.HasExited ? process.ExitCode : 0)}) before it held {folder}");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(90)), $"{folder} was never locked");
            await Task.Delay(20);
        }
    }

    private static string WithoutWallTimes(JsonNode? node, bool withoutCommands)
    {
        Zero(node, withoutCommands);
        return node?.ToJsonString() ?? "null";
    }

    private static void Zero(JsonNode? node, bool withoutCommands)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (string key in o.Select(p => p.Key).ToArray())
                {
                    if (WallTimes.Contains(key))
                    {
                        o[key] = 0;
                    }
                    else if (withoutCommands && key is "command" or "autobatch.command")
                    {
                        o[key] = string.Empty;
                    }
                    else
                    {
                        Zero(o[key], withoutCommands);
                    }
                }

                break;
            case JsonArray a:
                foreach (JsonNode? item in a)
                {
                    Zero(item, withoutCommands);
                }

                break;
        }
    }

    // The header (names, shapes, offsets, metadata) as JSON and the tensor bytes as a hash.
    private static string SafeTensors(byte[] bytes, bool withoutCommands)
    {
        int length = checked((int)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        JsonNode header = JsonNode.Parse(bytes.AsSpan(8, length))!;
        // Metadata values are strings, some of them JSON (the planner's last epoch record holds its wall times).
        if (header["__metadata__"] is JsonObject metadata)
        {
            foreach (string key in metadata.Select(p => p.Key).ToArray())
            {
                if (metadata[key]?.GetValue<string>() is { } value && value.StartsWith('{'))
                {
                    metadata[key] = WithoutWallTimes(JsonNode.Parse(value), withoutCommands);
                }
            }
        }

        return WithoutWallTimes(header, withoutCommands) + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(8 + length)));
    }

    private static string CsvWithoutWallTimes(string[] lines)
    {
        if (lines.Length == 0)
        {
            return string.Empty;
        }

        string[] header = lines[0].Split(',');
        int[] zeroed = [.. header.Select((h, i) => (h, i)).Where(x => WallTimes.Contains(x.h)).Select(x => x.i)];
        return string.Join('\n', lines.Select((line, n) =>
        {
            string[] cells = line.Split(',');
            if (n > 0)
            {
                foreach (int i in zeroed.Where(i => i < cells.Length))
                {
                    cells[i] = "0";
                }
            }

            return string.Join(',', cells);
        }));
    }
}
