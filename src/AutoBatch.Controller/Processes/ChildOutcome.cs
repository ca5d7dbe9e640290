namespace AutoBatch.Controller.Processes;

/// <summary>How a child process ended: its exit code (<see cref="ExitCodes"/>) and what it wrote to each stream.</summary>
public sealed record ChildOutcome(int ExitCode, string Output, string Errors);
