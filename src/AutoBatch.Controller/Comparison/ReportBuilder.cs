using System.Globalization;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Comparison;

/// <summary>
/// Builds the comparison report from a comparison folder: every finished run's summary.json and epochs.jsonl, the
/// statistics per schedule, Welch's test against the best fixed beacon and the travelling history. Unfinished runs are
/// listed as missing; nothing is trained.
/// </summary>
public static class ReportBuilder
{
    private const string BestName = "best";
    private const string UnknownMachine = "unknown";

    /// <summary>Builds the report of <paramref name="folder"/>; <paramref name="map"/> may be null (no map reference).</summary>
    public static ComparisonReport Build(string folder, CompareSpec spec, BeaconMap? map, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(spec);
        var runs = new List<(CompareRun Run, RunSummary Summary, IReadOnlyList<EpochRecord> Epochs)>();
        var missing = new List<string>();
        foreach (CompareRun run in spec.Runs())
        {
            string runFolder = run.FolderIn(folder);
            if (!CompareRunner.IsFinished(runFolder))
            {
                missing.Add($"{run.Id}: {Describe(runFolder, spec.Epochs)}");
                continue;
            }

            RunSummary summary = RunSession.ReadSummary(Path.Combine(runFolder, RunSession.SummaryName));
            string log = Path.Combine(runFolder, "epochs.jsonl");
            runs.Add((run, summary, File.Exists(log) ? EpochLog.Read(log) : []));
        }

        RunResult[] results = runs.Select(r => new RunResult
        {
            Id = r.Run.Id,
            Schedule = r.Run.Schedule.Name,
            Seed = r.Run.Seed,
            Diverged = r.Summary.Diverged,
            TestError = r.Summary.FinalTestError,
            Iterations = r.Summary.Iterations,
            TrainSeconds = r.Epochs.Sum(e => e.TrainSeconds),
            TrainCpuSeconds = r.Epochs.Sum(e => e.TrainCpuSeconds),
            ProbeSeconds = r.Epochs.Sum(e => e.ProbeSeconds),
            SamplesPerSecond = r.Summary.SamplesPerSecond,
            BatchSizeChanges = r.Summary.BatchSizeChanges,
            Rollbacks = r.Summary.Rollbacks,
            Epochs = r.Epochs.Count,
            Machine = r.Summary.Machine,
        }).ToArray();

        var notes = new List<string>();
        string[] machines = results.Select(r => r.Machine ?? UnknownMachine).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // Summaries written before the machine was recorded say nothing: when none does, the times are shown as before,
        // with a note; a known machine beside an unknown one, or two known machines, leave the schedules' times out.
        bool allUnknown = machines.Length == 1 && machines[0] == UnknownMachine;
        bool timesComparable = machines.Length <= 1;
        if (allUnknown)
        {
            notes.Add("The runs' summaries do not record their machine (written before it was): the times are compared assuming one machine.");
        }
        else if (!timesComparable)
        {
            notes.Add(
                $"The runs trained on {machines.Length} machines ({string.Join("; ", machines)}): times measured on different machines are not comparable, so the schedules' train time, train CPU, probe time and samples/s are left out (each run's own are in the run table).");
        }

        int? epochSize = runs.Count > 0 ? runs[0].Summary.EpochSize : null;
        ReferenceSample reference = Reference(spec, map, results, epochSize, notes);
        var schedules = new List<ScheduleResult>();
        foreach (string name in spec.Schedules)
        {
            RunResult[] all = results.Where(r => r.Schedule == name).ToArray();
            RunResult[] ok = all.Where(r => !r.Diverged).ToArray();
            bool isReference = reference.Source == "schedule" && name == BestName;
            double[] errors = ok.Select(r => r.TestError).ToArray();
            MeanStd iterations = MeanStd.Of(ok.Select(r => (double)r.Iterations).ToArray());
            schedules.Add(new ScheduleResult
            {
                Schedule = name,
                Seeds = spec.Seeds.Count,
                Finished = all.Length,
                Diverged = all.Length - ok.Length,
                IsReference = isReference,
                TestError = MeanStd.Of(errors),
                VersusReference = isReference || reference.Source == "none" ? null : WelchTest.Compare(errors, reference.TestErrors),
                TrainSeconds = MeanStd.Of(timesComparable ? ok.Select(r => r.TrainSeconds).ToArray() : []),
                ProbeSeconds = MeanStd.Of(timesComparable ? ok.Select(r => r.ProbeSeconds).ToArray() : []),
                TrainCpuSeconds = MeanStd.Of(timesComparable && ok.All(r => r.TrainCpuSeconds > 0) ? ok.Select(r => r.TrainCpuSeconds).ToArray() : []),
                Iterations = iterations,
                IterationsVersusReference = iterations.Mean is { } mean && reference.Iterations is { } refIterations && refIterations > 0 ? mean / refIterations - 1 : null,
                SamplesPerSecond = MeanStd.Of(timesComparable ? ok.Select(r => r.SamplesPerSecond).ToArray() : []),
                BatchSizeChanges = MeanStd.Of(ok.Select(r => (double)r.BatchSizeChanges).ToArray()),
                History = History(runs.Where(r => r.Run.Schedule.Name == name && !r.Summary.Diverged).Select(r => r.Epochs).ToArray(), spec.Epochs),
            });
        }

        return new ComparisonReport
        {
            Generated = (now ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Spec = spec,
            Model = map?.Grid.Model ?? runs.Select(r => r.Summary.Model).FirstOrDefault(),
            Data = (map?.Grid.Data ?? runs.Select(r => (Engine.Data.DataSetKind?)r.Summary.Data).FirstOrDefault())?.ToString(),
            Reference = reference,
            Schedules = schedules,
            Runs = results,
            Missing = missing,
            Notes = notes,
            Machines = machines,
            TimesComparable = timesComparable,
        };
    }

    /// <summary>
    /// The travelling history of one schedule: at each of <see cref="ComparisonReport.HistoryFractions"/>, the
    /// geometric means of C̄_K and L_K over the runs with usable measures after that epoch (the mean in the log plane,
    /// as the map places a configuration). Fractions without any usable measure are left out.
    /// </summary>
    public static IReadOnlyList<HistoryPoint> History(IReadOnlyList<IReadOnlyList<EpochRecord>> runs, int epochs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var points = new List<HistoryPoint>();
        foreach (double fraction in ComparisonReport.HistoryFractions)
        {
            int epoch = EpochFractions.ToEpoch(fraction, epochs);
            MeasurePoint[] measures = runs.Where(r => r.Count >= epoch)
                .Select(r => new MeasurePoint(r[epoch - 1].CumulativeCondition, r[epoch - 1].CumulativeEnergy))
                .Where(m => m.IsUsable)
                .ToArray();
            if (measures.Length > 0)
            {
                points.Add(new HistoryPoint(
                    fraction, epoch, Math.Exp(measures.Average(m => Math.Log(m.CumulativeCondition))), Math.Exp(measures.Average(m => Math.Log(m.CumulativeEnergy))), measures.Length));
            }
        }

        return points;
    }

    private static ReferenceSample Reference(CompareSpec spec, BeaconMap? map, IReadOnlyList<RunResult> results, int? epochSize, List<string> notes)
    {
        RunResult[] best = results.Where(r => r.Schedule == BestName && !r.Diverged).ToArray();
        BestBeacon? beacon = map?.Derived.BestBeacons.Count > 0 ? map.Derived.BestBeacons[0] : null;
        string beaconLabel = beacon is null ? string.Empty : $" ({beacon.Label})";
        if (best.Length > 0)
        {
            return new ReferenceSample
            {
                Label = $"the best schedule{beaconLabel}, {Seeds(best.Length)} of this comparison",
                Source = "schedule",
                TestErrors = best.Select(r => r.TestError).ToArray(),
                Iterations = best.Average(r => (double)r.Iterations),
            };
        }

        if (spec.Schedules.Contains(BestName))
        {
            notes.Add("The best schedule has no finished, non-diverged run yet: the schedules are tested against the map's best beacon runs instead.");
        }

        if (map is not null && beacon is not null)
        {
            double[] errors = map.Runs.Where(r => r.BatchSize == beacon.BatchSize && r.LearningRate == beacon.LearningRate && !r.Diverged)
                .OrderBy(r => r.Seed).Select(r => r.FinalTestError).ToArray();
            if (map.Grid.Epochs != spec.Epochs || map.Grid.TrainSubset != spec.TrainSubset)
            {
                notes.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The reference runs come from the map ({map.Grid.Epochs} epochs, training subset {map.Grid.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}), not from this comparison's settings ({spec.Epochs} epochs, subset {spec.TrainSubset?.ToString(CultureInfo.InvariantCulture) ?? "all"}): add `best` to the compared schedules for a like-for-like test."));
            }

            return new ReferenceSample
            {
                Label = $"the map's best beacon {beacon.Label}, {Seeds(errors.Length)} of the map",
                Source = "map",
                TestErrors = errors,
                Iterations = epochSize is { } n ? (double)spec.Epochs * ((n + beacon.BatchSize - 1) / beacon.BatchSize) : null,
            };
        }

        notes.Add("No reference: the comparison has no finished best run and no map with a best beacon, so no p-values.");
        return new ReferenceSample { Label = "none", Source = "none", TestErrors = [] };
    }

    private static string Seeds(int count) => count == 1 ? "1 seed" : $"{count} seeds";

    private static string Describe(string runFolder, int epochs)
    {
        if (!Directory.Exists(runFolder))
        {
            return "not started";
        }

        string summary = Path.Combine(runFolder, RunSession.SummaryName);
        if (File.Exists(summary))
        {
            // A summary that exists but does not count: say why, rather than pass the run off as interrupted.
            try
            {
                RunSummary s = RunSession.ReadSummary(summary);
                return string.Create(CultureInfo.InvariantCulture, $"{summary} says neither completed nor diverged (after {s.Epochs} of {epochs} epochs); the run is redone by compare");
            }
            catch (UserInputException e)
            {
                return $"{e.Message.TrimEnd('.')}; the run is redone by compare";
            }
        }

        string log = Path.Combine(runFolder, "epochs.jsonl");
        int done = File.Exists(log) ? File.ReadLines(log).Count(l => !string.IsNullOrWhiteSpace(l)) : 0;
        return done == 0
            ? "started, no epoch finished"
            : string.Create(CultureInfo.InvariantCulture, $"interrupted after epoch {done} of {epochs} (resumes from its checkpoint)");
    }
}
