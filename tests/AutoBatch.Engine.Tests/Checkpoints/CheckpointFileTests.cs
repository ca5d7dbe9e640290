using AutoBatch.Engine.Checkpoints;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Tests.Data;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Checkpoints;

public sealed class CheckpointFileTests
{
    private static ImageDataSet Synthetic(int count, ulong seed)
    {
        var rng = new Pcg32(seed);
        var pixels = new byte[count * 8 * 8];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextInt(3);
            labels[i] = (byte)label;
            for (int p = 0; p < 64; p++)
            {
                pixels[i * 64 + p] = (byte)Math.Min(255, (p % 3 == label ? 120 : 0) + rng.NextInt(100));
            }
        }

        return new ImageDataSet(pixels, labels, 1, 8, 8, 3, $"synthetic-{seed}");
    }

    private static (Network Network, Trainer Trainer) Create(int epochs = 3, long seed = 4)
    {
        ImageDataSet train = Synthetic(200, 1), test = Synthetic(50, 2);
        var norm = ChannelNormalisation.FromData(train);
        var net = Network.Create(ModelSpec.Mlp(new InputShape(1, 8, 8), 3, 16), SgdSettings.Paper, seed);
        var trainer = new Trainer(
            net,
            new BatchAssembler(train, norm, AugmentationKind.CropOnly),
            new BatchAssembler(test, norm, AugmentationKind.None),
            new TrainerOptions { Epochs = epochs, Seed = seed, Probe = new ProbeSettings { Interval = 3 } });
        return (net, trainer);
    }

    private static VaryingPlanner Planner(int epochs = 3) => new VaryingPlanner(new StepDecaySchedule(0.05, epochs));

    // Records minus wall times, which legitimately differ between runs.
    private static object[] Comparable(EpochRecord r) =>
        [r.Epoch, r.Iterations, r.TotalIterations, r.MeanBatchSize, r.BatchSize, r.LearningRate, r.TrainLoss, r.TrainError, r.TestLoss,
         r.TestError, r.CumulativeCondition, r.CumulativeEnergy, r.EpochCondition, r.EpochEnergy, r.MeanRank, r.NoiseScale, r.Measurements, r.Diverged];

    private static List<object[]> Uninterrupted()
    {
        (Network net, Trainer trainer) = Create();
        using (net)
        {
            return trainer.Run(Planner()).Select(Comparable).ToList();
        }
    }

    [Test]
    public void ResumingFromAMidEpochCheckpointGivesTheUninterruptedRecordsBitForBit()
    {
        List<object[]> expected = Uninterrupted();
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "c.safetensors");
        var first = new List<object[]>();
        (Network net1, Trainer trainer1) = Create();
        using (net1)
        {
            first.Add(Comparable(trainer1.RunEpoch(Planner())));

            // Stop after 5 steps of epoch 2, as Ctrl-C would at a step boundary.
            using var cts = new CancellationTokenSource();
            int steps = 0;
            Assert.Throws<OperationCanceledException>(() => trainer1.RunEpoch(Planner(), _ =>
            {
                if (++steps == 5)
                {
                    cts.Cancel();
                }
            }, cts.Token));
            Assert.That(trainer1.InEpoch, Is.True);
            CheckpointFile.Save(path, net1, trainer1.CaptureState(), planner: "{\"p\":1}");
        }

        (Network net2, Trainer trainer2) = Create(seed: 4);
        using (net2)
        {
            Checkpoint checkpoint = CheckpointFile.Load(path, net2);
            trainer2.RestoreState(checkpoint.Trainer);
            Assert.That(checkpoint.Planner, Is.EqualTo("{\"p\":1}"));
            Assert.That(checkpoint.Trainer.InProgress!.Iterations, Is.EqualTo(5));
            first.AddRange(trainer2.Run(Planner()).Select(Comparable));
        }

        Assert.That(first, Is.EqualTo(expected));
    }

    [Test]
    public void ResumingAtAnEpochBoundaryGivesTheUninterruptedRecords()
    {
        List<object[]> expected = Uninterrupted();
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "c.safetensors");
        var records = new List<object[]>();
        (Network net1, Trainer trainer1) = Create();
        using (net1)
        {
            records.Add(Comparable(trainer1.RunEpoch(Planner())));
            CheckpointFile.Save(path, net1, trainer1.CaptureState());
        }

        (Network net2, Trainer trainer2) = Create();
        using (net2)
        {
            trainer2.RestoreState(CheckpointFile.Load(path, net2).Trainer);
            records.AddRange(trainer2.Run(Planner()).Select(Comparable));
        }

        Assert.That(records, Is.EqualTo(expected));
    }

    [Test]
    public void TheCheckpointAlsoLoadsAsPlainWeights()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "c.safetensors");
        (Network net1, Trainer trainer1) = Create();
        using (net1)
        {
            trainer1.RunEpoch(Planner());
            CheckpointFile.Save(path, net1, trainer1.CaptureState());
            (Network net2, _) = Create(seed: 99);
            using (net2)
            {
                // What `measure --weights <run>/checkpoint.safetensors` does: the weights loader takes the model part
                // of a checkpoint and passes over the momentum buffers. The model must equal the trained network.
                WeightsFile.Load(net2, path);
                Assert.That(net2.GetState().Select(t => t.Data), Is.EqualTo(net1.GetState().Select(t => t.Data)));
                Assert.That(net2.GetState(StateSet.Optimiser).Select(t => t.Data), Is.Not.EqualTo(net1.GetState(StateSet.Optimiser).Select(t => t.Data)));
            }
        }
    }

    [Test]
    public void MomentumBuffersInAFileThatIsNotACheckpointAreStillRefused()
    {
        // Only a checkpoint (its format entry in the metadata) may carry the optimiser's tensors past the weights
        // loader; in a plain weights file they are unexpected tensors like any other.
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "w.safetensors");
        (Network net, Trainer trainer) = Create();
        using (net)
        {
            trainer.RunEpoch(Planner());
            var tensors = net.GetState(StateSet.Model).Concat(net.GetState(StateSet.Optimiser)).ToArray();
            SafeTensorsFile.Write(path, tensors, new Dictionary<string, string> { [WeightsFile.ModelKey] = net.Spec.Name });
            var e = Assert.Throws<UserInputException>(() => WeightsFile.Load(net, path));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("unexpected").And.Contain("fc1.weight.momentum_buffer"));
        }
    }

    [Test]
    public void ACheckpointOfAnotherModelIsRefusedAndLeavesTheNetworkUnchanged()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "c.safetensors");
        (Network net1, Trainer trainer1) = Create();
        using (net1)
        {
            CheckpointFile.Save(path, net1, trainer1.CaptureState());
        }

        using var other = Network.Create(ModelSpec.Mlp(new InputShape(1, 8, 8), 3, 12), SgdSettings.Paper, 1);
        var before = other.GetState().Select(t => t.Data).ToArray();
        var e = Assert.Throws<UserInputException>(() => CheckpointFile.Load(path, other));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain(path).And.Contain("mlp:16").And.Contain("mlp:12"));
            Assert.That(other.GetState().Select(t => t.Data), Is.EqualTo(before));
        });
    }

    [Test]
    public void PlainWeightsAreNotACheckpoint()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "w.safetensors");
        (Network net, _) = Create();
        using (net)
        {
            WeightsFile.Save(net, path);
            var e = Assert.Throws<UserInputException>(() => CheckpointFile.Load(path, net));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("not an AutoBatch checkpoint"));
        }
    }

    [Test]
    public void AStateOfAnotherRunIsRefused()
    {
        (Network net, Trainer trainer) = Create(epochs: 3, seed: 4);
        using (net)
        {
            TrainerState state = trainer.CaptureState();
            (Network net2, Trainer longer) = Create(epochs: 5, seed: 4);
            using (net2)
            {
                var e = Assert.Throws<InvalidDataException>(() => longer.RestoreState(state));
                Assert.That(e!.Message, Does.Contain("3 epochs").And.Contain("5 epochs"));
            }
        }
    }

    // Changes the batch size inside epochs so that resuming must restore the position exactly.
    private sealed class VaryingPlanner(StepDecaySchedule schedule) : IStepPlanner
    {
        public StepPlan Plan(TrainingProgress progress) =>
            new(progress.IterationInEpoch % 2 == 0 ? 24 : 10, schedule.LearningRateAt(progress.Epoch));
    }
}
