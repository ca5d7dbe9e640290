using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AutoBatch.Controller.Tests.Hosting;

/// <summary>How every verb maps the outcome of its work to an exit code and a log line.</summary>
public sealed class VerbRunnerTests
{
    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public bool Stopped { get; private set; }

        public void StopApplication() => Stopped = true;
    }

    private sealed class Recorder : ILogger
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }

    private static Task<(int Exit, Recorder Log, Lifetime Lifetime)> Run(Exception thrown) => Run(() => throw thrown);

    private static async Task<(int Exit, Recorder Log, Lifetime Lifetime)> Run(Action work)
    {
        var log = new Recorder();
        var lifetime = new Lifetime();
        int before = Environment.ExitCode;
        try
        {
            string? result = await VerbRunner.RunAsync<string?>(
                "train", log, lifetime, _ =>
                {
                    work();
                    return Task.FromResult<string?>("finished");
                },
                _ => ExitCodes.Ok,
                CancellationToken.None);
            Assert.That(result, Is.Null);
            return (Environment.ExitCode, log, lifetime);
        }
        finally
        {
            Environment.ExitCode = before;
        }
    }

    [Test]
    public async Task ADiskErrorUnderWay_IsAFailure_InOneLineWithoutTheStackTrace()
    {
        (int exit, Recorder log, Lifetime lifetime) = await Run(new IOException("No space left on device : '/runs/x/epochs.jsonl'"));

        Assert.That(exit, Is.EqualTo(ExitCodes.Failure));
        Assert.That(log.Entries.Single().Message, Is.EqualTo("train failed: No space left on device : '/runs/x/epochs.jsonl'"));
        Assert.That(log.Entries.Single().Exception, Is.Null, "no exception attached: the console logger would print its stack trace");
        Assert.That(lifetime.Stopped, Is.True);
    }

    [Test]
    public async Task BadInputAndBugs_KeepTheirCodes()
    {
        (int badInput, Recorder badLog, _) = await Run(new UserInputException("--output", "'x' is a file; expected a folder."));
        (int bug, Recorder bugLog, _) = await Run(new InvalidOperationException("a bug"));

        Assert.That(badInput, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(badLog.Entries.Single().Message, Is.EqualTo("train failed: --output: 'x' is a file; expected a folder."));
        Assert.That(bug, Is.EqualTo(ExitCodes.Failure));
        Assert.That(bugLog.Entries.Single().Exception, Is.InstanceOf<InvalidOperationException>(), "a bug keeps its stack trace");
    }

    [Test]
    public async Task AGuardClauseDeepInside_IsABug_WithItsStackTrace()
    {
        // A guard clause of the library (here the probe's settings) reports a bug in our own code, not bad input.
        (int exit, Recorder log, _) = await Run(() => new AutoBatch.Engine.Probe.ProbeSettings { Interval = 0 }.Validate());

        Assert.That(exit, Is.EqualTo(ExitCodes.Failure));
        Assert.That(log.Entries.Single().Level, Is.EqualTo(LogLevel.Error));
        Assert.That(log.Entries.Single().Exception, Is.InstanceOf<ArgumentException>());
        Assert.That(log.Entries.Single().Exception!.StackTrace, Does.Contain(nameof(AutoBatch.Engine.Probe.ProbeSettings.Validate)), "the stack trace goes to the log");
    }

    [Test]
    public async Task FinishedWork_TakesTheCodeOfItsResult_AndCancellationIsItsOwnCode()
    {
        var log = new Recorder();
        var lifetime = new Lifetime();
        int before = Environment.ExitCode;
        try
        {
            string? result = await VerbRunner.RunAsync("run", log, lifetime, _ => Task.FromResult("diverged"), r => r == "diverged" ? ExitCodes.Diverged : ExitCodes.Ok, CancellationToken.None);
            Assert.That(result, Is.EqualTo("diverged"));
            Assert.That(Environment.ExitCode, Is.EqualTo(ExitCodes.Diverged));
            Assert.That(log.Entries, Is.Empty);
        }
        finally
        {
            Environment.ExitCode = before;
        }

        (int cancelled, Recorder cancelledLog, _) = await Run(new OperationCanceledException());
        Assert.That(cancelled, Is.EqualTo(ExitCodes.Cancelled));
        Assert.That(cancelledLog.Entries.Single().Message, Is.EqualTo("train cancelled at a step boundary"));
    }
}
