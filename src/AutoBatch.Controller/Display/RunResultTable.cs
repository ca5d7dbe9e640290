using System.Globalization;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Runs;

namespace AutoBatch.Controller.Display;

/// <summary>
/// The table <c>run</c> prints at the end: this run beside the map's best fixed beacon, like against like.
/// Iterations are compared (they do not depend on the machine); times are shown only for this run, labelled as
/// measured on this machine. The map's beacon times were recorded on the machine and under the load the map was built
/// with (another CPU, another load: a ratio of the two would measure the machines, not the schedules), so they are
/// never put beside this run's.
/// </summary>
public static class RunResultTable
{
    /// <summary>Column headers.</summary>
    public static IReadOnlyList<string> Headers { get; } = ["", "test error", "iterations", "vs map", "train time (this machine)", "samples/s (this machine)"];

    /// <summary>The rows (this run, then the map's best beacon when there is one) and the notes printed under them.</summary>
    public static (IReadOnlyList<string[]> Rows, IReadOnlyList<string> Notes) Build(RunSummary run, BestBeacon? best, BeaconMap? map)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rows = new List<string[]>();
        var notes = new List<string>();
        long? mapIterations = null;
        int? mapEpochSize = null;
        if (best is not null && map is not null)
        {
            // The iterations the map's best beacon runs recorded (their last epoch's total), not a figure for this run's settings.
            BeaconRun[] beacons = map.Runs.Where(r => r.BatchSize == best.BatchSize && r.LearningRate == best.LearningRate && !r.Diverged && r.Epochs.Count > 0).ToArray();
            mapIterations = beacons.Length == 0 ? null : (long)Math.Round(beacons.Average(r => (double)r.Epochs[^1].TotalIterations));
            mapEpochSize = beacons.Length == 0 ? null : (int)Math.Round(beacons[0].Epochs[0].Iterations * beacons[0].Epochs[0].MeanBatchSize);
        }

        bool likeForLike = map is not null && map.Grid.Epochs == run.Epochs && mapEpochSize == run.EpochSize;
        rows.Add([
            $"{run.Policy} (seed {run.Seed})",
            run.Diverged ? "diverged" : Invariant($"{run.FinalTestError:P2}"),
            Invariant($"{run.Iterations:N0}"),
            likeForLike && mapIterations is > 0 ? (run.Iterations / (double)mapIterations.Value - 1).ToString("+0%;−0%;0%", CultureInfo.InvariantCulture) : "–",
            Invariant($"{run.TrainSeconds:F1} s"),
            Invariant($"{run.SamplesPerSecond:N0}"),
        ]);
        if (best is not null && map is not null)
        {
            rows.Add([
                $"best fixed beacon {best.Label} ({best.Seeds} seeds, map)",
                Invariant($"{best.MeanTestError:P2} ± {best.StdTestError:P2}"),
                mapIterations is { } it ? Invariant($"{it:N0}") : "–",
                "",
                "–",
                "–",
            ]);
            if (!likeForLike)
            {
                notes.Add(Invariant(
                    $"The map's runs had {map.Grid.Epochs} epochs of {mapEpochSize:N0} samples, this run {run.Epochs} of {run.EpochSize:N0}: errors and iterations are not like for like (no \"vs map\")."));
            }

            notes.Add(
                $"Times: this run's were measured here ({run.Machine ?? "this machine"}). The map's beacon times were recorded on {map.Provenance.Machine} "
                + $"({map.Provenance.Date}) under that machine's load and are not comparable, so none is shown; `autobatch run --schedule best` gives the best beacon's time on this machine.");
        }

        return (rows, notes);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
