using Microsoft.Extensions.Logging;

namespace AutoBatch.Controller;

/// <summary>Source-generated log messages of the controller project.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Epoch {Epoch}: test error {TestError:P2}, C̄={Condition:G4}, L={Energy:G4}")]
    public static partial void EpochFinished(ILogger logger, int epoch, double testError, double condition, double energy);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Verb} failed: {Reason}")]
    public static partial void VerbFailed(ILogger logger, string verb, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Verb} cancelled at a step boundary")]
    public static partial void VerbCancelled(ILogger logger, string verb);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Verb} crashed")]
    public static partial void VerbCrashed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Grid {Model} on {Data}: {Total} runs, shard {Shard}: {Pending} pending, {Parallel} at once x {Threads} threads")]
    public static partial void GridStarted(ILogger logger, string model, string data, int total, string shard, int pending, int parallel, int threads);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Run {Run} finished: test error {TestError:P2}, C̄={Condition:G4}, L={Energy:G4}, diverged={Diverged}, {Seconds:F0}s")]
    public static partial void RunFinished(ILogger logger, string run, double testError, double condition, double energy, bool diverged, double seconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Run {Run} failed (left pending): {Reason}")]
    public static partial void RunFailed(ILogger logger, string run, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Beacon map written to {Path}")]
    public static partial void MapWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Kind} at epoch {Epoch}: B {From} -> {To}: {Reason}")]
    public static partial void Decision(ILogger logger, string kind, int epoch, int from, int to, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Run {Policy} on {Model}/{Data}, seed {Seed}: B0={BatchSize}, α={LearningRate}, {Epochs} epochs, output {Output}{Resumed}")]
    public static partial void RunStarted(ILogger logger, string policy, string model, string data, long seed, int batchSize, double learningRate, int epochs, string output, string resumed);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "The closed loop {Reason}")]
    public static partial void RunStart(ILogger logger, string reason);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Comparison of {Schedules} schedules x {Seeds} seeds, {Epochs} epochs: {Pending} runs pending, {Parallel} at once x {Threads} threads, folder {Folder}")]
    public static partial void CompareStarted(ILogger logger, int schedules, int seeds, int epochs, int pending, int parallel, int threads, string folder);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Run {Run} finished: test error {TestError:P2}, {Iterations} iterations, {Seconds:F0}s training, diverged={Diverged}")]
    public static partial void CompareRunFinished(ILogger logger, string run, double testError, long iterations, double seconds, bool diverged);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Report written to {Path} ({Finished} of {Total} runs finished)")]
    public static partial void ReportWritten(ILogger logger, string path, int finished, int total);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Missing from the report: {Run}")]
    public static partial void RunMissing(ILogger logger, string run);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "Beacon map {Path} not found: the report has no map reference, beacons or contour")]
    public static partial void MapUnavailable(ILogger logger, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Message}")]
    public static partial void RunWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Run {Run} is redone: {Reason}")]
    public static partial void RunRedone(ILogger logger, string run, string reason);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Run {Run} could not be continued from its work folder and starts afresh: {Reason}")]
    public static partial void RunRestarted(ILogger logger, string run, string reason);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Left out of the map (--allow-incomplete): {Reason}")]
    public static partial void RunFileSkipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "--augment: the MLP trains on plain images (no augmentation), so the batch is measured without any")]
    public static partial void AugmentIgnoredForMlp(ILogger logger);
}
