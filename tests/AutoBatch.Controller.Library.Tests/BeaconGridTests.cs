using System.IO;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Output;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>A beacon map of a user's model: built by the grid, accepted for the same architecture, refused for another.</summary>
public sealed class BeaconGridTests
{
    private static (BeaconMap Map, string Path, string Model, LabelledData Train, LabelledData Test) Build() => TinyModels.Map();

    [Test]
    public async Task TheMap_RecordsTheFingerprintedModel_AndSteersTheClosedLoopOfTheSameArchitecture()
    {
        (BeaconMap map, string path, string model, LabelledData train, LabelledData test) = Build();
        string output = TinyModels.Folder("closed-loop");
        random.manual_seed(7);
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), train, test, new AutoBatchOptions { OutputFolder = output, BeaconMap = path }, name: "tiny");

        var decisions = new List<DecisionMade>();
        await foreach (TrainingEvent e in trainer.TrainAsync())
        {
            if (e is DecisionMade d)
            {
                decisions.Add(d);
            }
        }

        Assert.That(map.Grid.Model, Is.EqualTo(model).And.EqualTo(trainer.ModelName));
        Assert.That(map.Runs, Has.Count.EqualTo(4));
        Assert.That(BeaconMapFile.Read(path).Grid.Model, Is.EqualTo(model), "the file holds the same");
        Assert.That(trainer.Summary!.Epochs, Is.EqualTo(2), "the map's epochs");
        Assert.That(trainer.Summary.Policy, Is.EqualTo("closed-loop"));
        Assert.That(decisions, Has.Count.EqualTo(File.ReadAllLines(Path.Combine(output, "decisions.jsonl")).Length).And.Count.GreaterThan(0));
        Assert.That(EpochLog.Read(Path.Combine(output, "epochs.jsonl"))[0].BatchSize, Is.EqualTo(map.Derived.BestBeacons[0].BatchSize), "starts at the best beacon");
    }

    [Test]
    public async Task ABuildStoppedInsideARun_ContinuesItFromItsCheckpoint_ToTheRunOfAnUndisturbedBuild()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets(train: 960);
        string stopped = TinyModels.Folder("stopped"), undisturbed = TinyModels.Folder("undisturbed");
        string log = Path.Combine(stopped, "grid", "work", "b0008-lr0.05-s1", "epochs.jsonl");
        using var stop = new CancellationTokenSource();
        bool armed = false;

        // The stop is pulled from inside the run (by the model's first layer, once an epoch is logged), so that it lands
        // inside the run however fast the machine; the same layer, disarmed, is in every build, so all build one architecture.
        BeaconGrid Grid(string folder) => new(() => TinyModels.Cnn(tripwire: () =>
        {
            if (armed && !stop.IsCancellationRequested && File.Exists(log) && File.ReadAllLines(log).Length >= 1)
            {
                stop.Cancel();
            }
        }), train, test, new BeaconGridOptions
        {
            OutputFolder = Path.Combine(folder, "grid"), MapPath = Path.Combine(folder, "map.json"), BatchSizes = [8], LearningRates = [0.05], Epochs = 4, ProbeInterval = 2,
        }, name: "tiny");

        armed = true;
        Assert.That(async () => await Grid(stopped).BuildAsync(cancellationToken: stop.Token), Throws.InstanceOf<OperationCanceledException>());
        armed = false;

        int logged = File.ReadAllLines(log).Length;
        BeaconGrid again = Grid(stopped);
        BeaconMap continued = await again.BuildAsync();
        BeaconMap reference = await Grid(undisturbed).BuildAsync();

        BeaconRun run = continued.Runs.Single(), one = reference.Runs.Single();
        Assert.Multiple(() =>
        {
            Assert.That(logged, Is.InRange(1, 3), "the stop did not land inside the run");
            Assert.That(run.ResumedAfterEpoch, Is.EqualTo(logged), "a graceful stop checkpoints the partial epoch: every logged epoch is kept");
            Assert.That(again.Restarts, Is.Empty);
            Assert.That(run.Epochs.Select(e => (e.TotalIterations, e.TrainLoss, e.TestError, e.CumulativeCondition, e.CumulativeEnergy)),
                Is.EqualTo(one.Epochs.Select(e => (e.TotalIterations, e.TrainLoss, e.TestError, e.CumulativeCondition, e.CumulativeEnergy))));
            Assert.That(one.ResumedAfterEpoch, Is.Null);
        });
    }

    [Test]
    public void AMapOfAnotherArchitecture_IsRefused_NamingBoth()
    {
        (_, string path, string model, LabelledData train, LabelledData test) = Build();
        var other = new AutoBatchTrainer(TinyModels.Cnn(width: 6), train, test, new AutoBatchOptions { OutputFolder = TinyModels.Folder("other"), BeaconMap = path }, name: "tiny");

        var error = Assert.ThrowsAsync<InvalidDataException>(async () => await other.FitAsync());

        Assert.That(other.ModelName, Is.Not.EqualTo(model));
        Assert.That(error!.Message, Does.Contain($"the map is for {model}").And.Contain($"the run uses {other.ModelName}"));
    }
}
