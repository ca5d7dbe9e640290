using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>The probe mode a run resolves when --probe-background is not given, and that the flag always wins.</summary>
public sealed class RunSettingsTests
{
    private static RunSettings Settings(int threads, bool? background) => new()
    {
        Model = "mlp:16",
        Data = DataSetKind.Mnist,
        BatchSize = 8,
        LearningRate = 0.1,
        Epochs = 1,
        Seed = 1,
        Threads = threads,
        ProbeInterval = 50,
        ProbeBackground = background,
        Output = "unused",
    };

    [Test]
    public void TheProbeRunsInTheBackgroundUnlessTheThreadsExceedTheCores()
    {
        int cores = Environment.ProcessorCount;
        Assert.Multiple(() =>
        {
            Assert.That(Settings(1, null).ProbeInBackground, Is.True);
            Assert.That(Settings(cores, null).ProbeInBackground, Is.True, "threads = cores");
            Assert.That(Settings(cores + 1, null).ProbeInBackground, Is.False, "threads > cores");
            Assert.That(Settings(1, false).ProbeInBackground, Is.False, "--probe-background false");
            Assert.That(Settings(cores + 1, true).ProbeInBackground, Is.True, "--probe-background true");
        });
    }
}
