using AutoBatch.Controller.Output;
using AutoBatch.Controller.Policies;
using AutoBatch.Controller.Runs;
using AutoBatch.Engine.Data;

namespace AutoBatch.Controller.Tests.Runs;

/// <summary>On divergence an adaptive run rolls back to its last checkpoint, cuts α, logs it, and continues.</summary>
public sealed class RollbackTests
{
    private static RunSettings Settings(string data, string output, double lr, bool rollback, double cut = 0.5, int maxRollbacks = 3) => new()
    {
        Model = "mlp:16",
        Data = DataSetKind.Mnist,
        DataPath = data,
        BatchSize = 8,
        LearningRate = lr,
        Epochs = 2,
        Seed = 1,
        Threads = 1,
        ProbeInterval = 0,
        Output = output,
        RollbackOnDivergence = rollback,
        DivergenceCut = cut,
        MaxRollbacks = maxRollbacks,
    };

    [Test]
    public void WithoutRollbackADivergedRunEndsAsDiverged()
    {
        string data = TinyIdx.Write(train: 80, test: 20);
        string output = Path.Combine(data, "out");
        RunSummary s = new RunSession(Settings(data, output, 1e6, rollback: false), new FixedPolicy(8)).Execute();
        Assert.Multiple(() =>
        {
            Assert.That(s.Diverged, Is.True);
            Assert.That(s.Rollbacks, Is.Zero);
            Assert.That(EpochLog.Read(Path.Combine(output, "epochs.jsonl")).Single().Diverged, Is.True);
            Assert.That(double.IsFinite(s.FinalTestLoss), Is.True, "the evaluation after a divergence uses the last finite weights");
        });
    }

    [Test]
    public void ACutThatRescuesTheRunIsLoggedAndTheRunCompletes()
    {
        string data = TinyIdx.Write(train: 80, test: 20);
        string output = Path.Combine(data, "out");
        RunSummary s = new RunSession(Settings(data, output, 1e6, rollback: true, cut: 1e-7), new FixedPolicy(8)).Execute();
        IReadOnlyList<DecisionRecord> decisions = DecisionLog.Read(Path.Combine(output, "decisions.jsonl"));
        Assert.Multiple(() =>
        {
            Assert.That(s.Diverged, Is.False);
            Assert.That(s.Completed, Is.True);
            Assert.That(s.Rollbacks, Is.EqualTo(1));
            Assert.That(EpochLog.Read(Path.Combine(output, "epochs.jsonl")).Select(r => r.Epoch), Is.EqualTo(new[] { 1, 2 }), "the diverged epoch is not logged");
            Assert.That(decisions.Single().Kind, Is.EqualTo("divergence"));
            Assert.That(decisions.Single().LearningRate, Is.EqualTo(1e6 * 1e-7).Within(1e-9));
            Assert.That(decisions.Single().Reason, Does.Contain("rolled back"));
        });
    }

    [Test]
    public void AfterTheLastAllowedRollbackTheRunEndsAsDiverged()
    {
        string data = TinyIdx.Write(train: 80, test: 20);
        string output = Path.Combine(data, "out");
        RunSummary s = new RunSession(Settings(data, output, 1e9, rollback: true, cut: 0.5, maxRollbacks: 2), new FixedPolicy(8)).Execute();
        IReadOnlyList<DecisionRecord> decisions = DecisionLog.Read(Path.Combine(output, "decisions.jsonl"));
        Assert.Multiple(() =>
        {
            Assert.That(s.Diverged, Is.True);
            Assert.That(s.Rollbacks, Is.EqualTo(2));
            Assert.That(decisions.Select(d => d.LearningRate), Is.EqualTo(new[] { 0.5e9, 0.25e9 }).Within(1e-3));
        });
    }
}
