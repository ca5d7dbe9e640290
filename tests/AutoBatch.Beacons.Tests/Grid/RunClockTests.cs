using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Tests.Maps;
using AutoBatch.Engine.Training;

namespace AutoBatch.Beacons.Tests.Grid;

/// <summary>The time of a run executed in two parts: the last part's wall time plus the epochs it kept.</summary>
public sealed class RunClockTests
{
    private static EpochRecord Epoch(int epoch, double trainSeconds) =>
        SyntheticBeacons.Epoch(epoch, 10.0 * epoch, 0.01 * epoch, 0.2) with { TrainSeconds = trainSeconds, EvalSeconds = 0.5 };

    [Test]
    public void ARunInOneGoTakesItsWallTime_AndWasNotResumed()
    {
        (double wall, int? resumed) = RunClock.Of([], [Epoch(1, 3), Epoch(2, 3)], TimeSpan.FromSeconds(7.25));
        Assert.That((wall, resumed), Is.EqualTo((7.25, (int?)null)));
    }

    [Test]
    public void AContinuedRunAddsTheKeptEpochs_NotTheOnesItWroteAgain()
    {
        // Stopped after epoch 3 was logged but before its checkpoint: epochs 1-2 are kept, 3 is done again (other times).
        EpochRecord[] before = [Epoch(1, 3), Epoch(2, 4), Epoch(3, 5)];
        EpochRecord[] after = [Epoch(1, 3), Epoch(2, 4), Epoch(3, 5.5), Epoch(4, 6)];

        (double wall, int? resumed) = RunClock.Of(before, after, TimeSpan.FromSeconds(20));

        Assert.Multiple(() =>
        {
            Assert.That(RunClock.KeptEpochs(before, after), Is.EqualTo(2));
            Assert.That(resumed, Is.EqualTo(2));
            Assert.That(wall, Is.EqualTo(20 + (3 + 0.5) + (4 + 0.5)));
        });
    }

    [Test]
    public void ARunStartedAfreshOverAnOldLogKeepsNothing()
    {
        EpochRecord[] before = [Epoch(1, 3), Epoch(2, 4)];
        EpochRecord[] after = [Epoch(1, 3.1), Epoch(2, 4)];
        Assert.That(RunClock.Of(before, after, TimeSpan.FromSeconds(9)), Is.EqualTo((9.0, (int?)null)));
    }

    [Test]
    public void TheFinishedRunCarriesItsKeyTimesAndDivergence()
    {
        var key = new RunKey(16, 0.05, 2);
        EpochRecord[] before = [Epoch(1, 3)];
        EpochRecord[] after = [Epoch(1, 3), Epoch(2, 4) with { Diverged = true }];

        var run = RunClock.Finish(key, diverged: false, before, after, TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That((run.Id, run.BatchSize, run.LearningRate, run.Seed), Is.EqualTo((key.Id, 16, 0.05, 2L)));
            Assert.That(run.Diverged, Is.True, "an epoch that diverged makes the run diverged");
            Assert.That(run.WallSeconds, Is.EqualTo(5 + 3.5));
            Assert.That(run.ResumedAfterEpoch, Is.EqualTo(1));
            Assert.That(run.Epochs, Is.SameAs(after));
        });
    }
}
