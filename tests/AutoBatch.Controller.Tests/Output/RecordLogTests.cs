using System.Text;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Engine;
using AutoBatch.Engine.Training;

namespace AutoBatch.Controller.Tests.Output;

/// <summary>
/// epochs.jsonl, epochs.csv and decisions.jsonl cut in the middle of a record (a kill or a full disk during a write)
/// resume to the file an undisturbed run writes (before, the torn line made every resume fail with "not an
/// epoch record").
/// </summary>
public sealed class RecordLogTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("autobatch-logs-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static EpochRecord Epoch(int epoch) => new()
    {
        Epoch = epoch,
        Iterations = 10,
        TotalIterations = 10L * epoch,
        MeanBatchSize = 16,
        BatchSize = 16,
        LearningRate = 0.1,
        TrainLoss = 1.0 / epoch,
        TrainError = 0.3 / epoch,
        TestLoss = 1.1 / epoch,
        TestError = 0.35 / epoch,
        CumulativeCondition = 12.5 + epoch,
        CumulativeEnergy = 0.01 * epoch,
        EpochCondition = 12 + epoch,
        EpochEnergy = 0.01,
        MeanRank = 15,
        NoiseScale = 40 + (1.0 / 3),
        Measurements = 2,
        TrainSeconds = 0.1 * epoch,
        ProbeSeconds = 0.01,
        EvalSeconds = 0.02,
        Diverged = false,
    };

    private static DecisionRecord Decision(int epoch) => new()
    {
        Kind = "decision",
        Policy = "s16-to-64",
        Epoch = epoch,
        IterationInEpoch = 1,
        Iteration = 10L * (epoch - 1),
        Fraction = (epoch - 1) / 4.0,
        From = 16,
        To = 16 << (epoch / 2),
        LearningRate = 0.1,
        CumulativeCondition = 12.5,
        CumulativeEnergy = 0.01 * epoch,
        Reason = "stage " + epoch,
    };

    private string Undisturbed(string name, int epochs)
    {
        string folder = Path.Combine(_folder, name);
        using (var log = new EpochLog(folder))
        using (var decisions = new DecisionLog(folder))
        {
            for (int e = 1; e <= epochs; e++)
            {
                decisions.Append(Decision(e));
                log.Append(Epoch(e));
            }
        }

        return folder;
    }

    // Cuts the file inside the line of its last record.
    private static void CutLastRecord(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int lastLine = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        File.WriteAllBytes(path, bytes[..(lastLine + ((bytes.Length - lastLine) / 2))]);
    }

    [Test]
    public void LogsCutMidRecordResumeToTheBytesOfAnUndisturbedRun()
    {
        string reference = Undisturbed("reference", 4);
        // Killed while writing epoch 3's records, with the checkpoint after epoch 2 (iteration 20).
        string cut = Undisturbed("cut", 3);
        foreach (string file in new[] { "epochs.jsonl", "epochs.csv", "decisions.jsonl" })
        {
            CutLastRecord(Path.Combine(cut, file));
        }

        Assert.That(() => EpochLog.Read(Path.Combine(cut, "epochs.jsonl")), Has.Count.EqualTo(2), "a reader takes the torn record for none");
        using (var log = new EpochLog(cut, keepEpochs: 2))
        using (var decisions = new DecisionLog(cut, keepThroughIteration: 20))
        {
            Assert.That(log.Records.Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(decisions.Count, Is.EqualTo(2));
            for (int e = 3; e <= 4; e++)
            {
                decisions.Append(Decision(e));
                log.Append(Epoch(e));
            }
        }

        Assert.Multiple(() =>
        {
            foreach (string file in new[] { "epochs.jsonl", "epochs.csv", "decisions.jsonl" })
            {
                Assert.That(File.ReadAllBytes(Path.Combine(cut, file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(reference, file))), file);
            }

            Assert.That(EpochLog.Read(Path.Combine(cut, "epochs.jsonl")), Is.EqualTo(EpochLog.Read(Path.Combine(reference, "epochs.jsonl"))));
        });
    }

    [Test]
    public void ALogShorterThanTheCheckpointIsStillRefused()
    {
        // Cutting the checkpoint's own epoch is damage a resume cannot repair: it says so rather than write a log that
        // lacks an epoch.
        string cut = Undisturbed("cut", 2);
        string path = Path.Combine(cut, "epochs.jsonl");
        CutLastRecord(path);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<UserInputException>(() => new EpochLog(cut, keepEpochs: 2).Dispose());

        Assert.That(e!.Message, Is.EqualTo($"{path}: the checkpoint is after epoch 2, but the log holds 1 of those epochs."));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "the records are left as they were");
    }

    [Test]
    public void ADamagedWholeLineIsNamedNotSkipped()
    {
        string folder = Undisturbed("damaged", 3);
        string path = Path.Combine(folder, "epochs.jsonl");
        string[] lines = File.ReadAllLines(path);
        lines[1] = lines[1][..20];
        File.WriteAllText(path, string.Join('\n', lines) + "\n", new UTF8Encoding(false));

        var e = Assert.Throws<UserInputException>(() => EpochLog.Read(path));

        Assert.That(e!.Message, Does.StartWith($"{path}:2: not an epoch record: "));
    }
}
