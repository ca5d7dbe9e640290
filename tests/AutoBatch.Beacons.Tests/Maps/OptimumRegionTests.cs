using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class OptimumRegionTests
{
    // A 9 x 9 lattice of configurations over C̄_K in [5, 500] and L_K in [0.01, 100] whose error is a bowl in the
    // normalised log plane with its minimum at (0.3, 0.6).
    private static readonly LogNormalisation Plane = new()
    {
        MinLogCondition = Math.Log(5),
        MaxLogCondition = Math.Log(500),
        MinLogEnergy = Math.Log(0.01),
        MaxLogEnergy = Math.Log(100),
    };

    private static double Bowl(double x, double y) => 0.05 + 0.2 * ((x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6));

    private static SurfacePoint[] Lattice(Func<double, double, double> error) =>
        (from i in Enumerable.Range(0, 9)
         from j in Enumerable.Range(0, 9)
         let x = i / 8.0
         let y = j / 8.0
         select new SurfacePoint($"p{i}{j}", Plane.CumulativeCondition(x), Plane.CumulativeEnergy(y), error(x, y))).ToArray();

    private static OptimumRegion BowlRegion() => OptimumRegion.FromSurface(new ErrorSurface(Lattice(Bowl)).ToGrid());

    [Test]
    public void TheRegionContainsTheKnownMinimumAndNotAFarPoint()
    {
        OptimumRegion region = BowlRegion();
        MeasurePoint best = Plane.ToMeasures(0.3, 0.6), far = Plane.ToMeasures(0.95, 0.05);
        Assert.Multiple(() =>
        {
            Assert.That(region.DistanceToRegion(best.CumulativeCondition, best.CumulativeEnergy), Is.Zero);
            Assert.That(region.Contains(best.CumulativeCondition, best.CumulativeEnergy), Is.True);
            Assert.That(region.Contains(far.CumulativeCondition, far.CumulativeEnergy), Is.False);
            Assert.That(region.DistanceToRegion(far.CumulativeCondition, far.CumulativeEnergy), Is.GreaterThan(0.5));
            Assert.That(region.Surface.Normalisation.X(region.Centroid.CumulativeCondition), Is.EqualTo(0.3).Within(0.05));
            Assert.That(region.Surface.Normalisation.Y(region.Centroid.CumulativeEnergy), Is.EqualTo(0.6).Within(0.05));
        });
    }

    [Test]
    public void TheRegionIsTheLowestOfThirtyLevelsOfTheGrid()
    {
        OptimumRegion region = BowlRegion();
        double[] values = region.Surface.Values.SelectMany(row => row).ToArray();
        double threshold = values.Min() + (values.Max() - values.Min()) / 30;
        int n = region.Surface.Size;
        Assert.Multiple(() =>
        {
            Assert.That(region.Levels, Is.EqualTo(30));
            Assert.That(region.Threshold, Is.EqualTo(threshold).Within(1e-15));
            Assert.That(region.Cells, Is.EqualTo(values.Count(v => v <= threshold)));
            Assert.That(region.Cells, Is.InRange(1, n * n - 1));
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++)
                {
                    Assert.That(region.Contains(i, j), Is.EqualTo(region.Surface.Values[j][i] <= threshold));
                }
            }
        });
    }

    [Test]
    public void DistanceIsZeroOnRegionNodesAndBracketedByTheNearestRegionNodeElsewhere()
    {
        OptimumRegion region = BowlRegion();
        int n = region.Surface.Size;
        var nodes = (from j in Enumerable.Range(0, n)
                     from i in Enumerable.Range(0, n)
                     where region.Contains(i, j)
                     select (X: SurfaceGrid.Node(i, n), Y: SurfaceGrid.Node(j, n))).ToArray();
        double halfDiagonal = region.Surface.CellSize / Math.Sqrt(2);
        var rng = new Random(11);
        Assert.Multiple(() =>
        {
            foreach ((double x, double y) in nodes)
            {
                Assert.That(region.DistanceToRegionNormalised(x, y), Is.Zero);
            }

            for (int k = 0; k < 300; k++)
            {
                double x = -0.3 + 1.6 * rng.NextDouble(), y = -0.3 + 1.6 * rng.NextDouble();
                double toNode = nodes.Min(p => Math.Sqrt((p.X - x) * (p.X - x) + (p.Y - y) * (p.Y - y)));
                double d = region.DistanceToRegionNormalised(x, y);
                Assert.That(d, Is.LessThanOrEqualTo(toNode + 1e-12));
                Assert.That(d, Is.GreaterThanOrEqualTo(toNode - halfDiagonal - 1e-12));
            }
        });
    }

    [Test]
    public void DistanceGrowsAlongARayAwayFromTheRegion()
    {
        OptimumRegion region = BowlRegion();
        double[] d = Enumerable.Range(0, 40).Select(k => region.DistanceToRegionNormalised(0.3 + 0.03 * k, 0.6 - 0.03 * k)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(d[0], Is.Zero);
            Assert.That(d, Is.Ordered);
            Assert.That(d[^1], Is.GreaterThan(1));
        });
    }

    [Test]
    public void DistanceInRealUnitsEqualsDistanceInNormalisedUnits()
    {
        OptimumRegion region = BowlRegion();
        MeasurePoint p = Plane.ToMeasures(0.9, 0.1);
        Assert.That(region.DistanceToRegion(p.CumulativeCondition, p.CumulativeEnergy), Is.EqualTo(region.DistanceToRegionNormalised(0.9, 0.1)).Within(1e-12));
    }

    [Test]
    public void TheMinimumCentroidAndExtentAreConsistent()
    {
        OptimumRegion region = BowlRegion();
        Assert.Multiple(() =>
        {
            Assert.That(region.DistanceToRegion(region.Minimum.CumulativeCondition, region.Minimum.CumulativeEnergy), Is.Zero);
            Assert.That(region.Centroid.CumulativeCondition, Is.InRange(region.Lower.CumulativeCondition, region.Upper.CumulativeCondition));
            Assert.That(region.Centroid.CumulativeEnergy, Is.InRange(region.Lower.CumulativeEnergy, region.Upper.CumulativeEnergy));
            Assert.That(region.Minimum.CumulativeCondition, Is.InRange(region.Lower.CumulativeCondition, region.Upper.CumulativeCondition));
            Assert.That(region.MinimumError, Is.LessThanOrEqualTo(region.Threshold));
        });
    }

    [Test]
    public void AConstantSurfaceIsOptimalEverywhere()
    {
        OptimumRegion region = OptimumRegion.FromSurface(new ErrorSurface(Lattice((_, _) => 0.2)).ToGrid());
        Assert.Multiple(() =>
        {
            Assert.That(region.Cells, Is.EqualTo(region.Surface.Size * region.Surface.Size));
            Assert.That(region.Lower.CumulativeCondition, Is.EqualTo(5).Within(1e-9));
            Assert.That(region.Upper.CumulativeEnergy, Is.EqualTo(100).Within(1e-9));
            Assert.That(region.Surface.Normalisation.X(region.Centroid.CumulativeCondition), Is.EqualTo(0.5).Within(1e-12));
        });
    }

    [Test]
    public void RejectsMeasuresOffTheLogPlane() =>
        Assert.That(() => BowlRegion().DistanceToRegion(0, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
