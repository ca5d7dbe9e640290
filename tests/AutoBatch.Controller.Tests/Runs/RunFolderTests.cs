using AutoBatch.Engine.Runtime;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine;
using AutoBatch.Engine.Checkpoints;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>
/// What a run does with its output folder: --resume continues only a run with the same settings, a fresh run leaves
/// no summary of an earlier one behind, and an output that cannot be a writable folder is refused by name before any
/// work.
/// </summary>
public sealed class RunFolderTests
{
    private string _data = null!;

    [SetUp]
    public void CreateData() => _data = TinyIdx.Write(train: 64, test: 16);

    [TearDown]
    public void DeleteData() => Directory.Delete(_data, recursive: true);

    private RunSettings Settings(string output, bool resume = false) => new()
    {
        Model = "mlp:16",
        Data = DataSetKind.Mnist,
        DataPath = _data,
        BatchSize = 8,
        LearningRate = 0.05,
        Epochs = 2,
        Seed = 1,
        Threads = 1,
        ProbeInterval = 3,
        ProbeBackground = false,
        Output = output,
        Resume = resume,
        NameOf = AutoBatch.Controller.Verbs.Run.RunService.SettingNames, // the run verb's messages
    };

    private static ITrainingNetwork NewNetwork() => Engines.CreateNetwork(ModelSpec.Parse("mlp:16", new InputShape(1, 28, 28), 10), SgdSettings.Paper, seed: 99);

    private static RunSummary Execute(RunSettings settings, CancellationToken cancellationToken = default) =>
        new RunSession(settings, new FixedPolicy(settings.BatchSize)).Execute(cancellationToken: cancellationToken);

    [Test]
    public void ResumingWithOtherSettings_IsRefusedNamingEachOptionWithBothValues_AndTouchesNothing()
    {
        string output = Path.Combine(_data, "run");
        Execute(Settings(output));
        string[] files = ["epochs.jsonl", "epochs.csv", RunSession.CheckpointName, RunSession.SummaryName];
        byte[][] before = [.. files.Select(f => File.ReadAllBytes(Path.Combine(output, f)))];

        var e = Assert.Throws<UserInputException>(() => Execute(Settings(output, resume: true) with { LearningRate = 0.4, ProbeInterval = 7 }));

        Assert.That(e!.Message, Does.StartWith(Path.Combine(output, RunSession.CheckpointName) + ": the checkpoint is of a run with other settings"));
        Assert.That(e.Message, Does.Contain("--lr: 0.05 in the checkpoint's run, 0.4 in this one"));
        Assert.That(e.Message, Does.Contain("--probe-interval: 3 in the checkpoint's run, 7 in this one"));
        Assert.That(e.Message, Does.Not.Contain("--seed").And.Not.Contain("--model"), "only what differs");
        Assert.That(files.Select(f => File.ReadAllBytes(Path.Combine(output, f))), Is.EqualTo(before));
    }

    [Test]
    public void ResumingOnAnotherTrainingSubset_IsRefused()
    {
        string output = Path.Combine(_data, "run");
        Execute(Settings(output) with { TrainSubset = 48 });

        var e = Assert.Throws<UserInputException>(() => Execute(Settings(output, resume: true) with { TrainSubset = 40 }));

        Assert.That(e!.Message, Does.Contain("--train-subset: 48 in the checkpoint's run, 40 in this one"));
        Assert.That(e.Message, Does.Contain("--data-path: training set of 48 images, content "), "the training set itself differs too");
    }

    [Test]
    public void ResumingWithOnlyTheBackgroundProbeOrCheckpointFrequencyChanged_Continues()
    {
        string output = Path.Combine(_data, "run");
        Execute(Settings(output) with { Epochs = 2 });
        string log = File.ReadAllText(Path.Combine(output, "epochs.jsonl"));

        RunSummary resumed = Execute(Settings(output, resume: true) with { ProbeBackground = true, CheckpointEvery = 0 });

        Assert.That(resumed.Epochs, Is.EqualTo(2));
        Assert.That(File.ReadAllText(Path.Combine(output, "epochs.jsonl")), Is.EqualTo(log), "nothing left to run, nothing rewritten");
    }

    [Test]
    public void ACheckpointWrittenBeforeRunSettingsWereStored_StillResumes()
    {
        string output = Path.Combine(_data, "run");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => Execute(Settings(output), cancel.Token));
        string checkpoint = Path.Combine(output, RunSession.CheckpointName);
        using (ITrainingNetwork network = NewNetwork())
        {
            Checkpoint saved = CheckpointFile.Load(checkpoint, network);
            Assert.That(saved.Metadata.ContainsKey(RunIdentity.MetadataKey), Is.True);
            var older = saved.Metadata.Where(kv => kv.Key != RunIdentity.MetadataKey).ToDictionary(kv => kv.Key, kv => kv.Value);
            CheckpointFile.Save(checkpoint, network, saved.Trainer, saved.Planner, older);
        }

        // Nothing to compare with: even another α is taken (as before identities were stored).
        RunSummary resumed = Execute(Settings(output, resume: true) with { LearningRate = 0.1 });

        Assert.That(resumed.Epochs, Is.EqualTo(2));
        using ITrainingNetwork again = NewNetwork();
        Assert.That(CheckpointFile.Load(checkpoint, again).Metadata.ContainsKey(RunIdentity.MetadataKey), Is.True, "stored from then on");
    }

    [Test]
    public void AnotherMapFile_OrAMapRebuiltInPlace_IsAnotherRun_WhileAMovedCopyIsNot()
    {
        string map = Path.Combine(_data, "map.json"), moved = Path.Combine(_data, "moved.json");
        File.WriteAllText(map, "{\"a map\": 1}");
        File.Copy(map, moved);
        SortedDictionary<string, string> Identity(string path)
        {
            var train = new ImageDataSet(new byte[4 * 784], [0, 1, 2, 3], 1, 28, 28, 10, "test");
            return RunIdentity.Of(Settings("out") with { MapPath = path }, new FixedPolicy(8), train, AugmentationKind.None);
        }

        var stored = new Dictionary<string, string> { [RunIdentity.MetadataKey] = RunIdentity.ToJson(Identity(map)) };
        Assert.DoesNotThrow(() => RunIdentity.Check(stored, Identity(moved)));
        File.WriteAllText(map, "{\"a map\": 2}");
        var e = Assert.Throws<InvalidDataException>(() => RunIdentity.Check(stored, Identity(map)));
        Assert.That(e!.Message, Does.Contain("MapPath: content "));
        var named = Assert.Throws<InvalidDataException>(() => RunIdentity.Check(stored, Identity(map), AutoBatch.Controller.Verbs.Run.RunService.SettingNames));
        Assert.That(named!.Message, Does.Contain("--map: content ").And.EndWith("--resume continues a run only with the settings it started with."));

        var malformed = new Dictionary<string, string> { [RunIdentity.MetadataKey] = "not json" };
        Assert.That(() => RunIdentity.Check(malformed, Identity(map)), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("'autobatch.run' entry is not valid"));
    }

    [Test]
    public void AnIdentityStoredUnderTheCommandLinesKeys_IsReadUnderTheSettingsNames()
    {
        // Checkpoints written before the identity named settings (grids' runs in progress among them) keyed them by
        // flag; they must resume, and a real difference must still be found.
        var train = new ImageDataSet(new byte[4 * 784], [0, 1, 2, 3], 1, 28, 28, 10, "test");
        SortedDictionary<string, string> current = RunIdentity.Of(Settings("out"), new FixedPolicy(8), train, AugmentationKind.None);
        var flags = new Dictionary<string, string>
        {
            ["Model"] = "--model", ["Data"] = "--data", ["DataPath"] = "--data-path", ["TrainSubset"] = "--train-subset",
            ["NoAugmentation"] = "--no-augmentation", ["BatchSize"] = "--batch-size", ["LearningRate"] = "--lr", ["Rule"] = "--lr-rule",
            ["Epochs"] = "--epochs", ["Seed"] = "--seed", ["ProbeInterval"] = "--probe-interval", ["Schedule"] = "--schedule",
            ["RollbackOnDivergence"] = "--rollback",
        };
        Assert.That(current.Keys, Is.EquivalentTo(flags.Keys), "the keys this test spells out are the identity's");
        string Earlier(SortedDictionary<string, string> identity) =>
            System.Text.Json.JsonSerializer.Serialize(identity.ToDictionary(p => flags[p.Key], p => p.Value));

        var same = new Dictionary<string, string> { [RunIdentity.MetadataKey] = Earlier(current) };
        var other = new Dictionary<string, string>
        {
            [RunIdentity.MetadataKey] = Earlier(RunIdentity.Of(Settings("out") with { LearningRate = 0.2 }, new FixedPolicy(8), train, AugmentationKind.None)),
        };

        Assert.Multiple(() =>
        {
            Assert.DoesNotThrow(() => RunIdentity.Check(same, current));
            Assert.That(
                () => RunIdentity.Check(other, current, AutoBatch.Controller.Verbs.Run.RunService.SettingNames),
                Throws.InstanceOf<InvalidDataException>().With.Message.Contains("(--lr: 0.2 in the checkpoint's run, 0.05 in this one)"));
        });
    }

    [Test]
    public void AFreshRunDeletesAnEarlierRunsSummary_BeforeItCanStandForThisOne()
    {
        string output = Path.Combine(_data, "run");
        Execute(Settings(output));
        Assert.That(File.Exists(Path.Combine(output, RunSession.SummaryName)), Is.True);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.Throws<OperationCanceledException>(() => Execute(Settings(output) with { Epochs = 3 }, cancel.Token));

        Assert.That(File.Exists(Path.Combine(output, RunSession.SummaryName)), Is.False, "a stopped fresh run has no summary, not the old one");
        Assert.That(EpochLog.Read(Path.Combine(output, "epochs.jsonl")), Is.Empty);
    }

    [Test]
    public void AnOutputThatIsAFile_OrUnderOne_IsRefusedNamingOutput()
    {
        string file = Path.Combine(_data, "afile");
        File.WriteAllText(file, "keep me");

        var direct = Assert.Throws<UserInputException>(() => Execute(Settings(file)));
        var under = Assert.Throws<UserInputException>(() => Execute(Settings(Path.Combine(file, "sub"))));

        Assert.That(direct!.Message, Is.EqualTo($"--output: '{file}' is a file; expected a folder."));
        Assert.That(under!.Message, Is.EqualTo($"--output: '{file}' is a file, so '{Path.Combine(file, "sub")}' cannot be a folder."));
        Assert.That(File.ReadAllText(file), Is.EqualTo("keep me"));
    }

    [Test]
    public void ASubsetLargerThanTheTrainingSet_IsRefusedRatherThanClamped()
    {
        var e = Assert.Throws<UserInputException>(() => Execute(Settings(Path.Combine(_data, "run")) with { TrainSubset = 65 }));

        Assert.That(e!.Message, Does.StartWith("--train-subset: 65 is larger than the training set (64 images)"));
        Assert.That(Directory.Exists(Path.Combine(_data, "run")), Is.False, "refused before any output");
    }

    [Test]
    public void ADivergedRunIsNotCompleted()
    {
        RunSummary s = Execute(Settings(Path.Combine(_data, "run")) with { LearningRate = 1e6 });

        Assert.That(s.Diverged, Is.True);
        Assert.That(s.Completed, Is.False, "Completed means every epoch ran");
    }
}
