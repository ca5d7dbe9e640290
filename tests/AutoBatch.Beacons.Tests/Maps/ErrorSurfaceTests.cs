using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Tests.Maps;

public sealed class ErrorSurfaceTests
{
    private static SurfacePoint[] RandomPoints(int count, int seed, Func<double, double, double>? error = null)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            double c = Math.Exp(Math.Log(5) + rng.NextDouble() * Math.Log(100));
            double l = Math.Exp(Math.Log(0.01) + rng.NextDouble() * Math.Log(1e4));
            return new SurfacePoint($"p{i}", c, l, error?.Invoke(c, l) ?? rng.NextDouble());
        }).ToArray();
    }

    [Test]
    public void AtADataPointTheSurfaceReturnsThatPointsError()
    {
        SurfacePoint[] points = RandomPoints(30, 1);
        var surface = new ErrorSurface(points);
        Assert.Multiple(() =>
        {
            foreach (SurfacePoint p in points)
            {
                Assert.That(surface.Evaluate(p.CumulativeCondition, p.CumulativeEnergy), Is.EqualTo(p.Error).Within(1e-12), p.Label);
            }
        });
    }

    [Test]
    public void CoincidentPointsAreAveragedAtTheirPosition()
    {
        SurfacePoint[] points = [new("a", 10, 1, 0.1), new("b", 10, 1, 0.3), new("c", 100, 10, 0.9)];
        Assert.That(new ErrorSurface(points).Evaluate(10, 1), Is.EqualTo(0.2).Within(1e-15));
    }

    [Test]
    public void AConstantFieldInterpolatesToThatConstantEverywhere()
    {
        SurfacePoint[] points = RandomPoints(20, 2, (_, _) => 0.137);
        var surface = new ErrorSurface(points);
        var rng = new Random(3);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 200; k++)
            {
                // Inside and well outside the points' range.
                double x = -0.5 + 2 * rng.NextDouble(), y = -0.5 + 2 * rng.NextDouble();
                Assert.That(surface.EvaluateNormalised(x, y), Is.EqualTo(0.137).Within(1e-14));
            }

            Assert.That(surface.ToGrid().Values.SelectMany(row => row), Has.All.EqualTo(0.137).Within(1e-14));
        });
    }

    [Test]
    public void MatchesAnIndependentFiveNearestInverseSquareInterpolation()
    {
        SurfacePoint[] points = RandomPoints(25, 4);
        var surface = new ErrorSurface(points);
        var reference = points.Select(p => (p.CumulativeCondition, p.CumulativeEnergy, p.Error)).ToArray();
        var rng = new Random(5);
        Assert.Multiple(() =>
        {
            for (int k = 0; k < 200; k++)
            {
                double c = Math.Exp(Math.Log(3) + rng.NextDouble() * Math.Log(300));
                double l = Math.Exp(Math.Log(0.005) + rng.NextDouble() * Math.Log(1e5));
                Assert.That(surface.Evaluate(c, l), Is.EqualTo(ReferenceIdw.Evaluate(reference, c, l)).Within(1e-12));
            }
        });
    }

    [Test]
    public void OnlyTheFiveNearestPointsMatter()
    {
        // Six clustered points and one far away: changing the far point's error cannot move the value near the cluster.
        SurfacePoint[] cluster = Enumerable.Range(0, 6).Select(i => new SurfacePoint($"c{i}", 10 + i, 1 + 0.1 * i, 0.1 * i)).ToArray();
        double Value(double farError) =>
            new ErrorSurface([.. cluster, new SurfacePoint("far", 1000, 1000, farError)], LogNormalisation.Spanning([new(10, 1), new(1000, 1000)])).Evaluate(12.5, 1.25);
        Assert.That(Value(0.9), Is.EqualTo(Value(0.0)));
    }

    [Test]
    public void ValuesStayWithinTheRangeOfTheData()
    {
        SurfacePoint[] points = RandomPoints(40, 6);
        SurfaceGrid grid = new ErrorSurface(points).ToGrid();
        Assert.Multiple(() =>
        {
            Assert.That(grid.Minimum(), Is.GreaterThanOrEqualTo(points.Min(p => p.Error)));
            Assert.That(grid.Maximum(), Is.LessThanOrEqualTo(points.Max(p => p.Error)));
        });
    }

    [Test]
    public void TheGridSamplesTheSurfaceAtEvenlySpacedNodesOfTheUnitSquare()
    {
        SurfacePoint[] points = RandomPoints(15, 7);
        var surface = new ErrorSurface(points);
        SurfaceGrid grid = surface.ToGrid(11);
        Assert.Multiple(() =>
        {
            Assert.That(grid.Values, Has.Count.EqualTo(11));
            Assert.That(grid.Values.Select(row => row.Count), Has.All.EqualTo(11));
            Assert.That(grid.Values[3][7], Is.EqualTo(surface.EvaluateNormalised(0.7, 0.3)).Within(1e-15));
            Assert.That(grid.Values[10][0], Is.EqualTo(surface.EvaluateNormalised(0, 1)).Within(1e-15));
        });
    }

    [Test]
    public void NormalisationMapsTheExtremesToZeroAndOneAndInverts()
    {
        SurfacePoint[] points = RandomPoints(10, 8);
        LogNormalisation n = new ErrorSurface(points).Normalisation;
        SurfacePoint minC = points.MinBy(p => p.CumulativeCondition)!, maxL = points.MaxBy(p => p.CumulativeEnergy)!;
        Assert.Multiple(() =>
        {
            Assert.That(n.X(minC.CumulativeCondition), Is.EqualTo(0).Within(1e-12));
            Assert.That(n.Y(maxL.CumulativeEnergy), Is.EqualTo(1).Within(1e-12));
            Assert.That(n.CumulativeCondition(n.X(42.0)), Is.EqualTo(42.0).Within(1e-10));
            Assert.That(n.CumulativeEnergy(n.Y(0.3)), Is.EqualTo(0.3).Within(1e-12));
        });
    }

    [Test]
    public void ASinglePointGivesAFlatSurfaceWithAnInvertibleNormalisation()
    {
        var surface = new ErrorSurface([new SurfacePoint("only", 20, 2, 0.25)]);
        Assert.Multiple(() =>
        {
            Assert.That(surface.Evaluate(40, 0.5), Is.EqualTo(0.25));
            Assert.That(surface.Normalisation.CumulativeCondition(surface.Normalisation.X(40)), Is.EqualTo(40).Within(1e-12));
            Assert.That(surface.Normalisation.X(20), Is.EqualTo(0.5).Within(1e-12), "a lone point sits mid-axis");
            Assert.That(surface.Normalisation.Y(2 * Math.Exp(0.5)), Is.EqualTo(1).Within(1e-12));
        });
    }

    [TestCase(0.0, 1.0)]
    [TestCase(10.0, -1.0)]
    [TestCase(double.NaN, 1.0)]
    [TestCase(10.0, double.PositiveInfinity)]
    public void RejectsPointsOffTheLogPlane(double condition, double energy) =>
        Assert.That(() => new ErrorSurface([new SurfacePoint("bad", condition, energy, 0.1)]), Throws.ArgumentException);

    [Test]
    public void RejectsNoPoints() =>
        Assert.That(() => new ErrorSurface([]), Throws.ArgumentException);
}
