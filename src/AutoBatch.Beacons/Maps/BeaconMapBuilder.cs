using AutoBatch.Beacons.Grid;

namespace AutoBatch.Beacons.Maps;

/// <summary>Builds a <see cref="BeaconMap"/> from finished runs (docs/DESIGN.md, 'Beacon maps').</summary>
public static class BeaconMapBuilder
{
    /// <summary>Number of best beacons kept (the paper's "top five configurations", Fig. 1a/3).</summary>
    public const int BestBeaconCount = 5;

    /// <summary>
    /// Builds the map. Deterministic: runs are sorted by id first, so the same runs in any order give an identical
    /// map. Diverged runs, and runs that collapsed to chance level without diverging (<see cref="CollapseRule"/>; they
    /// are flagged <see cref="BeaconRun.Collapsed"/> here), are kept in <see cref="BeaconMap.Runs"/> but left out of
    /// every surface, the best beacons, early prediction and the relations (see <see cref="ErrorSurface"/>).
    /// </summary>
    /// <remarks>
    /// The surfaces' data points are configurations (batch size, learning rate): the geometric means of C̄_K and L_K
    /// over the configuration's finished seeds, with the mean of their final test errors, the paper's "mean ± std"
    /// view of a configuration (Sec. 4.1). Interpolating single runs instead would, with five seeds, make the five
    /// nearest runs of every point the seeds of one configuration and reduce the surface to a nearest-configuration
    /// tiling; with one seed per configuration both readings coincide with the reference procedure. An epoch at which
    /// a seed has no valid probe measurement yet (C̄_K = 0) is left out of that configuration's mean.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// No runs, a repeated id, a run without epochs or with epochs out of order, a finished run with fewer or more
    /// epochs than the grid, or no run that finished with usable measures.
    /// </exception>
    public static BeaconMap Build(GridSpec grid, IReadOnlyList<BeaconRun> runs, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(provenance);
        grid.Validate();
        BeaconRun[] sorted = runs.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray();
        Check(grid, sorted);
        double collapse = CollapseRule.Threshold(grid.Data);
        sorted = sorted.Select(r => r with { Collapsed = CollapseRule.IsCollapsed(r, collapse) }).ToArray();

        IReadOnlyList<BeaconConfiguration> configurations = BeaconConfiguration.Group(sorted);
        SurfacePoint[] finalPoints = configurations.Select(c => c.PointAt(grid.Epochs)).OfType<SurfacePoint>().ToArray();
        if (finalPoints.Length == 0)
        {
            throw new ArgumentException("No run finished without divergence or collapse and with usable C̄_K and L_K; a beacon map needs at least one.", nameof(runs));
        }

        var trajectory = new List<RegionSnapshot>();
        foreach (double fraction in EpochFractions.Trajectory)
        {
            int epoch = EpochFractions.ToEpoch(fraction, grid.Epochs);
            SurfacePoint[] points = configurations.Select(c => c.PointAt(epoch)).OfType<SurfacePoint>().ToArray();
            if (points.Length > 0)
            {
                trajectory.Add(new RegionSnapshot
                {
                    Fraction = fraction,
                    Epoch = epoch,
                    Configurations = points.Length,
                    Region = OptimumRegion.FromSurface(new ErrorSurface(points).ToGrid()),
                });
            }
        }

        var predictor = new EarlyPredictor(sorted, grid.Epochs);
        OptimumRegion region = OptimumRegion.FromSurface(new ErrorSurface(finalPoints).ToGrid());
        BestBeacon[] best = BestBeacons(configurations, grid.Epochs);
        return new BeaconMap
        {
            Provenance = provenance,
            Grid = grid,
            Runs = sorted,
            Derived = new DerivedData
            {
                Neighbours = ErrorSurface.Neighbours,
                Power = ErrorSurface.Power,
                Configurations = finalPoints.Length,
                DivergedRuns = sorted.Where(r => r.Diverged).Select(r => r.Id).ToArray(),
                CollapseThreshold = collapse,
                CollapsedRuns = sorted.Where(r => r.Collapsed).Select(r => r.Id).ToArray(),
                Region = region,
                Trajectory = trajectory,
                BestBeacons = best,
                EarlyPrediction = EpochFractions.Prediction.Select(predictor.Evaluate).OfType<EarlyPredictionResult>().ToArray(),
                Relations = RelationsAnalysis.Compute(grid, configurations, best, region.Surface.Normalisation, predictor),
            },
        };
    }

    private static BestBeacon[] BestBeacons(IReadOnlyList<BeaconConfiguration> configurations, int epochs) =>
        configurations
            .Select(c => (Configuration: c, Measures: c.MeasuresAt(epochs)))
            .Where(x => x.Measures is not null)
            .OrderBy(x => x.Configuration.MeanFinalError)
            .ThenBy(x => x.Configuration.BatchSize)
            .ThenBy(x => x.Configuration.LearningRate)
            .Take(BestBeaconCount)
            .Select((x, i) => new BestBeacon
            {
                Rank = i + 1,
                Label = x.Configuration.Label,
                BatchSize = x.Configuration.BatchSize,
                LearningRate = x.Configuration.LearningRate,
                Seeds = x.Configuration.Finished.Count,
                DivergedSeeds = x.Configuration.DivergedSeeds,
                CollapsedSeeds = x.Configuration.CollapsedSeeds,
                MeanTestError = x.Configuration.MeanFinalError,
                StdTestError = x.Configuration.StdFinalError,
                Measures = x.Measures!,
                MeanWallSeconds = x.Configuration.MeanWallSeconds,
            })
            .ToArray();

    private static void Check(GridSpec grid, BeaconRun[] runs)
    {
        if (runs.Length == 0)
        {
            throw new ArgumentException("A beacon map needs at least one run.", nameof(runs));
        }

        for (int k = 0; k < runs.Length; k++)
        {
            BeaconRun run = runs[k];
            if (k > 0 && string.Equals(run.Id, runs[k - 1].Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Run {run.Id} appears more than once.", nameof(runs));
            }

            if (run.Epochs.Count == 0)
            {
                throw new ArgumentException($"Run {run.Id} has no epochs.", nameof(runs));
            }

            for (int e = 0; e < run.Epochs.Count; e++)
            {
                if (run.Epochs[e].Epoch != e + 1)
                {
                    throw new ArgumentException($"Run {run.Id}: record {e + 1} is epoch {run.Epochs[e].Epoch}; epochs must be 1, 2, ... in order.", nameof(runs));
                }
            }

            if (!run.Diverged && run.Epochs.Count != grid.Epochs)
            {
                throw new ArgumentException($"Run {run.Id} did not diverge but has {run.Epochs.Count} of the grid's {grid.Epochs} epochs; is it unfinished?", nameof(runs));
            }

            if (run.Epochs.Count > grid.Epochs)
            {
                throw new ArgumentException($"Run {run.Id} has {run.Epochs.Count} epochs, more than the grid's {grid.Epochs}.", nameof(runs));
            }
        }
    }
}
