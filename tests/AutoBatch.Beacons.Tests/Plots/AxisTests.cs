using AutoBatch.Beacons.Plots;

namespace AutoBatch.Beacons.Tests.Plots;

public sealed class AxisTests
{
    [TestCase(3.0, 700.0)]
    [TestCase(12.0, 40.0)]
    [TestCase(0.002, 150.0)]
    [TestCase(21.0, 23.0)]
    public void LogTicksAreIncreasingInsideTheRangeAndAtLeastThree(double low, double high)
    {
        IReadOnlyList<double> ticks = Axis.Log(low, high, 0, 500).Ticks();
        Assert.Multiple(() =>
        {
            Assert.That(ticks, Has.Count.InRange(3, 20));
            Assert.That(ticks, Is.Ordered.Ascending);
            Assert.That(ticks, Has.All.InRange(low * (1 - 1e-9), high * (1 + 1e-9)));
        });
    }

    [Test]
    public void ManyDecadesGetDecadeTicks() =>
        Assert.That(Axis.Log(0.005, 2000, 0, 500).Ticks(), Is.EqualTo(new[] { 0.01, 0.1, 1, 10, 100, 1000 }));

    [Test]
    public void LogAxesMapTheEndsToThePixelEnds()
    {
        Axis a = Axis.Log(2, 200, 100, 700);
        Assert.Multiple(() =>
        {
            Assert.That(a.Map(2), Is.EqualTo(100).Within(1e-9));
            Assert.That(a.Map(200), Is.EqualTo(700).Within(1e-9));
            Assert.That(a.Map(20), Is.EqualTo(400).Within(1e-9));
        });
    }

    [TestCase(0.5, "0.5")]
    [TestCase(1000.0, "1000")]
    [TestCase(0.0001, "1e-4")]
    [TestCase(123456.0, "1.23e5")]
    [TestCase(0.30000000000000004, "0.3")]
    public void LabelsAreCompact(double value, string label) =>
        Assert.That(Axis.Label(value), Is.EqualTo(label));

    [TestCase(1, 2, new[] { 1.0, 2.0 })]
    [TestCase(1, 3, new[] { 1.0, 2.0, 3.0 })]
    [TestCase(1, 15, new[] { 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0 })]
    [TestCase(1, 100, new[] { 20.0, 40.0, 60.0, 80.0, 100.0 })]
    public void EpochAxesTickAtWholeEpochsOnly(double low, double high, double[] expected)
    {
        // A linear axis over 1..2 epochs ticks at 1.2, 1.4, ...; an epoch axis must not.
        Assert.That(Axis.Linear(1, 2, 0, 100).Ticks(), Has.Some.Matches<double>(t => t != Math.Floor(t)), "the control: fractional ticks");
        Assert.That(Axis.LinearIntegers(low, high, 0, 100).Ticks(), Is.EqualTo(expected));
    }
}
