using AutoBatch.Beacons.Grid;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// The runs of one (batch size, learning rate) configuration over its seeds. The map's surfaces, best beacons and
/// early prediction work per configuration: the paper reports a configuration as "mean ± std" over its runs
/// (Sec. 4.1), and its seeds sit so close together in the plane that, with five seeds, the five nearest runs to any
/// point would be the seeds of a single configuration and the interpolation would degrade to a nearest-neighbour
/// tiling. A configuration's point is therefore the mean of its finished seeds in the log plane (geometric means of
/// C̄_K and L_K) with the mean of their final test errors; with one seed this is exactly the reference procedure.
/// The one place a map's runs are grouped into configurations and their statistics formed: the map's derived data,
/// its plots and the closed loop's <c>MapModel</c> read them from here.
/// </summary>
public sealed class BeaconConfiguration
{
    private BeaconConfiguration(int batchSize, double learningRate, IReadOnlyList<BeaconRun> finished, int divergedSeeds, int collapsedSeeds)
    {
        BatchSize = batchSize;
        LearningRate = learningRate;
        Label = new RunKey(batchSize, learningRate, 0).Label;
        Finished = finished;
        DivergedSeeds = divergedSeeds;
        CollapsedSeeds = collapsedSeeds;
        if (finished.Count > 0)
        {
            double[] errors = finished.Select(r => r.FinalTestError).ToArray();
            MeanFinalError = errors.Average();
            SquaredDeviations = errors.Sum(e => (e - MeanFinalError) * (e - MeanFinalError));
            StdFinalError = errors.Length > 1 ? Math.Sqrt(SquaredDeviations / (errors.Length - 1)) : 0;
            MeanWallSeconds = finished.Average(r => r.WallSeconds);
        }
    }

    /// <summary>The batch size B.</summary>
    public int BatchSize { get; }

    /// <summary>The initial learning rate α.</summary>
    public double LearningRate { get; }

    /// <summary>The configuration's label, e.g. <c>s128-lr0.05</c>.</summary>
    public string Label { get; }

    /// <summary>Runs that neither diverged nor collapsed (<see cref="BeaconRun.Collapsed"/>), by seed.</summary>
    public IReadOnlyList<BeaconRun> Finished { get; }

    /// <summary>Seeds whose run diverged.</summary>
    public int DivergedSeeds { get; }

    /// <summary>Seeds whose run collapsed to chance accuracy (<see cref="CollapseRule"/>).</summary>
    public int CollapsedSeeds { get; }

    /// <summary>Mean final test error of the <see cref="Finished"/> runs.</summary>
    public double MeanFinalError { get; }

    /// <summary>Σ (e − ē)² over the <see cref="Finished"/> runs' final test errors e (0 with one seed): what a pooled variance sums.</summary>
    public double SquaredDeviations { get; }

    /// <summary>Sample standard deviation of the <see cref="Finished"/> runs' final test errors, √(Σ (e − ē)² / (n − 1)); 0 with one seed.</summary>
    public double StdFinalError { get; }

    /// <summary>Mean wall seconds of the <see cref="Finished"/> runs.</summary>
    public double MeanWallSeconds { get; }

    /// <summary>
    /// Groups runs by configuration, ordered by batch size then learning rate; configurations whose every seed
    /// diverged or collapsed are left out.
    /// </summary>
    public static IReadOnlyList<BeaconConfiguration> Group(IEnumerable<BeaconRun> runs) =>
        runs.GroupBy(r => (r.BatchSize, r.LearningRate))
            .OrderBy(g => g.Key.BatchSize)
            .ThenBy(g => g.Key.LearningRate)
            .Select(g => new BeaconConfiguration(
                g.Key.BatchSize,
                g.Key.LearningRate,
                g.Where(r => !r.Excluded).OrderBy(r => r.Seed).ToArray(),
                g.Count(r => r.Diverged),
                g.Count(r => r.Collapsed)))
            .Where(c => c.Finished.Count > 0)
            .ToArray();

    /// <summary>
    /// Geometric means of C̄_K and L_K after 1-based <paramref name="epoch"/> over the finished seeds whose measures
    /// are usable there (null when none is, e.g. no probe measurement yet).
    /// </summary>
    public MeasurePoint? MeasuresAt(int epoch)
    {
        double sumC = 0, sumL = 0;
        int count = 0;
        foreach (BeaconRun run in Finished)
        {
            if (epoch > run.Epochs.Count)
            {
                continue;
            }

            var m = new MeasurePoint(run.Epochs[epoch - 1].CumulativeCondition, run.Epochs[epoch - 1].CumulativeEnergy);
            if (m.IsUsable)
            {
                sumC += Math.Log(m.CumulativeCondition);
                sumL += Math.Log(m.CumulativeEnergy);
                count++;
            }
        }

        return count == 0 ? null : new MeasurePoint(Math.Exp(sumC / count), Math.Exp(sumL / count));
    }

    /// <summary>
    /// Geometric means of the epoch's own mean c_k and mean l_k (<see cref="Engine.Training.EpochRecord.EpochCondition"/>,
    /// <see cref="Engine.Training.EpochRecord.EpochEnergy"/>) in 1-based <paramref name="epoch"/>, over the finished seeds
    /// that measured both there (null when none did).
    /// </summary>
    public (double EpochCondition, double EpochEnergy)? EpochMeansAt(int epoch)
    {
        double sumC = 0, sumL = 0;
        int count = 0;
        foreach (BeaconRun run in Finished)
        {
            if (epoch > run.Epochs.Count || !(run.Epochs[epoch - 1].EpochCondition > 0 && run.Epochs[epoch - 1].EpochEnergy > 0))
            {
                continue;
            }

            sumC += Math.Log(run.Epochs[epoch - 1].EpochCondition);
            sumL += Math.Log(run.Epochs[epoch - 1].EpochEnergy);
            count++;
        }

        return count == 0 ? null : (Math.Exp(sumC / count), Math.Exp(sumL / count));
    }

    /// <summary>Mean test error after 1-based <paramref name="epoch"/> over the finished seeds.</summary>
    public double MeanTestErrorAt(int epoch) => Finished.Average(r => r.Epochs[epoch - 1].TestError);

    /// <summary>This configuration's surface point at <paramref name="epoch"/>, carrying its final error.</summary>
    public SurfacePoint? PointAt(int epoch) =>
        MeasuresAt(epoch) is { } m ? new SurfacePoint(Label, m.CumulativeCondition, m.CumulativeEnergy, MeanFinalError) : null;
}
