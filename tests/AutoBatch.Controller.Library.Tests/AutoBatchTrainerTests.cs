using AutoBatch.Controller.Output;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>The trainer on a user's module and tensors: its events against the files the run writes, cancellation and resume, refusals.</summary>
public sealed class AutoBatchTrainerTests
{
    private static AutoBatchOptions Fixed(string output, int epochs = 3, bool resume = false) => new()
    {
        OutputFolder = output, Schedule = Schedule.Fixed(8), Epochs = epochs, LearningRate = 0.05, ProbeInterval = 4, Resume = resume,
    };

    private static async Task<List<TrainingEvent>> Collect(AutoBatchTrainer trainer, CancellationToken cancellationToken = default)
    {
        var events = new List<TrainingEvent>();
        await foreach (TrainingEvent e in trainer.TrainAsync(cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    // What decides a result, per epoch (times excluded).
    private static string[] Outcomes(IEnumerable<EpochRecord> records) =>
        [.. records.Select(r => FormattableString.Invariant($"{r.Epoch} {r.BatchSize} {r.Iterations} {r.TrainLoss:R} {r.TestError:R} {r.TestLoss:R} {r.CumulativeCondition:R} {r.CumulativeEnergy:R}"))];

    [Test]
    public async Task Events_AreTheEpochsTheRunWrites_EndingWithItsSummary()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        string output = TinyModels.Folder("events");
        random.manual_seed(3);
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(output), name: "tiny");

        List<TrainingEvent> events = await Collect(trainer);

        EpochRecord[] epochs = [.. events.OfType<EpochCompleted>().Select(e => e.Record)];
        Assert.That(Outcomes(epochs), Is.EqualTo(Outcomes(EpochLog.Read(Path.Combine(output, "epochs.jsonl")))));
        Assert.That(events[^1], Is.TypeOf<TrainingCompleted>());
        Assert.That(((TrainingCompleted)events[^1]).Summary.Iterations, Is.EqualTo(3 * (96 / 8)), "three epochs of 96 samples at B = 8");
        Assert.That(epochs.Select(e => e.CumulativeCondition), Is.All.GreaterThan(1.0), "the probe measured every epoch");
        Assert.That(trainer.ModelName, Does.Match("^custom:tiny@[0-9a-f]{16}$"));
        Assert.That(File.Exists(Path.Combine(output, "summary.json")), Is.True);
    }

    [Test]
    public async Task Cancelled_ThenResumed_GivesTheUninterruptedRunsEpochs()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets(train: 384);
        string straight = TinyModels.Folder("straight"), stopped = TinyModels.Folder("stopped");
        random.manual_seed(5);
        await Collect(new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(straight, epochs: 6)));

        random.manual_seed(5);
        var first = new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(stopped, epochs: 6));
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAsync<OperationCanceledException>(async () =>
        {
            await foreach (TrainingEvent e in first.TrainAsync(stop.Token))
            {
                if (e is EpochCompleted { Record.Epoch: 1 })
                {
                    await stop.CancelAsync();
                }
            }
        });
        Assert.That(File.Exists(Path.Combine(stopped, "checkpoint.safetensors")), Is.True);
        Assert.That(EpochLog.Read(Path.Combine(stopped, "epochs.jsonl")), Has.Count.LessThan(6), "stopped before the end");

        // Another module's weights: the checkpoint's replace them.
        random.manual_seed(99);
        await Collect(new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(stopped, epochs: 6, resume: true)));

        Assert.That(
            Outcomes(EpochLog.Read(Path.Combine(stopped, "epochs.jsonl"))),
            Is.EqualTo(Outcomes(EpochLog.Read(Path.Combine(straight, "epochs.jsonl")))));
    }

    [Test]
    public async Task ASecondRunWhileTheFirstTrains_IsRefused_AndAllowedOnceItEnded()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(TinyModels.Folder("twice"), epochs: 2));

        await using (IAsyncEnumerator<TrainingEvent> first = trainer.TrainAsync().GetAsyncEnumerator())
        {
            Assert.That(await first.MoveNextAsync(), Is.True);
            Assert.ThrowsAsync<InvalidOperationException>(async () => await trainer.FitAsync());
        }

        Assert.That((await trainer.FitAsync()).Epochs, Is.EqualTo(2));
    }

    [TestCase("closed-loop+linear")]
    [TestCase("best")]
    public void AScheduleThatNeedsAMap_WithoutOne_IsRefusedNamingTheOption(string schedule)
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var options = new AutoBatchOptions { OutputFolder = TinyModels.Folder("nomap"), Schedule = Schedule.Parse(schedule) };
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), train, test, options);

        var error = Assert.ThrowsAsync<ArgumentException>(async () => await trainer.FitAsync());

        Assert.That(error!.Message, Does.StartWith($"BeaconMap: the {schedule} schedule needs a beacon map"));
    }

    [Test]
    public void AModuleTheProbeCannotDecompose_IsRefusedByPathAndType()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var model = nn.Sequential(("flat", nn.Flatten()), ("fc", nn.Linear(64, 8)), ("norm", nn.LayerNorm(8)), ("head", nn.Linear(8, 3)));

        var error = Assert.Throws<ArgumentException>(() => _ = new AutoBatchTrainer(model, train, test, Fixed(TinyModels.Folder("refused"))));

        Assert.That(error!.Message, Does.StartWith("The module 'norm' (LayerNorm) has trainable parameters"));
    }

    [Test]
    public void AnEnvironmentThatNamesTheNativeEngine_IsRefusedNamingTheVariable()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        string? before = Environment.GetEnvironmentVariable(Engines.Variable);
        Environment.SetEnvironmentVariable(Engines.Variable, "native");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => _ = new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(TinyModels.Folder("native"))));
            Assert.That(error!.Message, Does.Contain("AUTOBATCH_ENGINE=native").And.Contain("TorchSharp"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Engines.Variable, before);
        }
    }

    [Test]
    public void Cuda_WithoutACudaDevice_IsRefusedNamingTheOption()
    {
        Assume.That(cuda.is_available(), Is.False, "this machine has CUDA");
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var options = new AutoBatchOptions { OutputFolder = TinyModels.Folder("cuda"), Device = "cuda", Schedule = Schedule.Fixed(8), Epochs = 1, LearningRate = 0.1 };

        var error = Assert.Throws<ArgumentException>(() => _ = new AutoBatchTrainer(TinyModels.Cnn(), train, test, options));

        Assert.That(error!.Message, Does.StartWith("Device: 'cuda'").And.Contain("torch.cuda.is_available() is false"));
    }

    [Test]
    public void TheClosedLoopWithoutAMap_IsRefusedNamingTheOption()
    {
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var trainer = new AutoBatchTrainer(TinyModels.Cnn(), train, test, new AutoBatchOptions { OutputFolder = TinyModels.Folder("nomap"), BeaconMap = null });

        var error = Assert.ThrowsAsync<ArgumentException>(async () => await trainer.FitAsync());

        Assert.That(error!.Message, Does.StartWith("BeaconMap: the closed-loop schedule needs a beacon map"));
    }
    [Test]
    public void ErrorsOfTheRunItself_NameTheLibrarysOptions_NotTheCommandLinesFlags()
    {
        // The run under the library is the run verb's; its messages named --batch-size, --resume and --output.
        (LabelledData train, LabelledData test) = TinyModels.Sets();
        var tooLarge = new AutoBatchTrainer(TinyModels.Cnn(), train, test, new AutoBatchOptions
        {
            OutputFolder = TinyModels.Folder("large"), Schedule = Schedule.Fixed(500), Epochs = 1, LearningRate = 0.05, ProbeInterval = 4,
        });
        string folder = TinyModels.Folder("other-settings");
        Assert.That(async () => await new AutoBatchTrainer(TinyModels.Cnn(), train, test, Fixed(folder, epochs: 1)).FitAsync(), Throws.Nothing);
        var otherSettings = new AutoBatchTrainer(TinyModels.Cnn(), train, test, new AutoBatchOptions
        {
            OutputFolder = folder, Schedule = Schedule.Fixed(8), Epochs = 2, LearningRate = 0.2, ProbeInterval = 4, Resume = true,
        });

        var large = Assert.ThrowsAsync<AutoBatch.Engine.UserInputException>(async () => await tooLarge.FitAsync());
        var resumed = Assert.ThrowsAsync<AutoBatch.Engine.UserInputException>(async () => await otherSettings.FitAsync());

        Assert.Multiple(() =>
        {
            Assert.That(large!.Message, Does.StartWith("BatchSize: 500 is larger than the training set (96 samples)."));
            Assert.That(resumed!.Message, Does.Contain("LearningRate: 0.05 in the checkpoint's run, 0.2 in this one").And.Contain("Epochs: 1 in the checkpoint's run, 2 in this one"));
            Assert.That(resumed.Message, Does.EndWith("Resume continues a run only with the settings it started with. Start afresh without Resume, or use another OutputFolder."));
            Assert.That(large.Message + resumed.Message, Does.Not.Contain("--"));
        });
    }
}
