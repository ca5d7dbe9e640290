using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;

namespace AutoBatch.Engine.Runtime;

/// <summary>
/// The engine of this process, chosen once by the environment variable <c>AUTOBATCH_ENGINE</c>: <c>torchsharp</c>, the
/// default (TorchSharp's LibTorch 2.10), or <c>native</c> (our C ABI over Debian's LibTorch 1.13, the reference the
/// TorchSharp engine is measured against until it is retired; docs/TORCHSHARP.md). Child processes of grids and
/// comparisons inherit the variable. A process uses one engine only: LibTorch 1.13 and TorchSharp's LibTorch 2.10
/// cannot both be loaded into one process.
/// </summary>
public static class Engines
{
    /// <summary>The environment variable that selects the engine.</summary>
    public const string Variable = "AUTOBATCH_ENGINE";

    private static readonly Lock Gate = new();
    private static EngineKind? _current;

    /// <summary>This process's engine (fixed by the first use: the variable, or <see cref="Require"/>).</summary>
    public static EngineKind Current
    {
        get
        {
            lock (Gate)
            {
                return _current ??= Parse(Environment.GetEnvironmentVariable(Variable));
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="kind"/> this process's engine, for a program that uses AutoBatch as a library (which selects
    /// the engine in process rather than through <see cref="Variable"/>). Nothing happens when it already is.
    /// </summary>
    /// <param name="kind">The engine needed.</param>
    /// <param name="caller">Who needs it, named in the refusal.</param>
    /// <exception cref="InvalidOperationException">
    /// The process already uses the other engine (its library is loaded, or <see cref="Current"/> was read), or
    /// <see cref="Variable"/> names the other one; the message says which and why both cannot be used.
    /// </exception>
    public static void Require(EngineKind kind, string caller)
    {
        lock (Gate)
        {
            string? variable = Environment.GetEnvironmentVariable(Variable);
            EngineKind? named = string.IsNullOrWhiteSpace(variable) ? null : Parse(variable);
            EngineKind? inUse = _current ?? (NativeLoaded() ? EngineKind.Native : null);
            if (inUse is { } used && used != kind)
            {
                throw new InvalidOperationException(
                    $"{caller} needs the {kind} engine, but this process already uses the {used} engine; LibTorch 1.13 (native) and "
                    + "TorchSharp's LibTorch 2.10 cannot both be loaded into one process. Use it from a process that has not used the other engine.");
            }

            if (named is { } n && n != kind)
            {
                throw new InvalidOperationException(
                    $"{caller} needs the {kind} engine, but {Variable}={variable} names the {n} engine; unset {Variable} or set it to {kind.ToString().ToLowerInvariant()}.");
            }

            _current = kind;
        }
    }

    /// <summary>The engine a value of <see cref="Variable"/> names; empty or unset is the TorchSharp engine.</summary>
    public static EngineKind Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "torchsharp" => EngineKind.TorchSharp,
        "native" => EngineKind.Native,
        _ => throw new UserInputException(Variable, $"'{value}' is not an engine; expected native or torchsharp."),
    };

    /// <summary>
    /// A network on this process's engine, weights drawn from <paramref name="seed"/> (the same on both, and on every
    /// device: they are drawn on the CPU and then moved), its tensors on <paramref name="device"/>.
    /// </summary>
    /// <param name="spec">The architecture.</param>
    /// <param name="sgd">The optimiser settings.</param>
    /// <param name="seed">The seed of the initial weights.</param>
    /// <param name="device">A device <see cref="EngineDevices.Check"/> accepted (default <c>cpu</c>).</param>
    /// <exception cref="ArgumentException">A device other than the CPU on the native engine (a caller that did not check).</exception>
    public static ITrainingNetwork CreateNetwork(ModelSpec spec, SgdSettings sgd, long seed, string device = EngineDevices.Cpu) => Current switch
    {
        EngineKind.TorchSharp => TorchNetwork.Create(spec, sgd, seed, EngineDevices.Torch(device)),
        _ when EngineDevices.Canonical(device, nameof(device)) != EngineDevices.Cpu =>
            throw new ArgumentException($"The native engine runs on the CPU only, not on '{device}'.", nameof(device)),
        _ => Network.Create(spec, sgd, seed),
    };

    /// <summary>Sets the engine's intra-op threads (never 0; OpenBLAS, where used, gets one).</summary>
    public static void SetThreads(int threads)
    {
        if (Current == EngineKind.TorchSharp)
        {
            TorchRuntime.SetThreads(threads);
        }
        else
        {
            EngineRuntime.SetThreads(threads);
        }
    }

    /// <summary>
    /// This process's engine and the LibTorch it runs on, for records and provenance (numbers from the two engines
    /// agree to float32 rounding, not bit for bit).
    /// </summary>
    public static string Describe() => Current == EngineKind.TorchSharp
        ? $"torchsharp (LibTorch {TorchRuntime.LibTorchVersion})"
        : "native (Debian's LibTorch 1.13)";

    /// <summary>The engine's intra-op threads.</summary>
    public static int Threads => Current == EngineKind.TorchSharp ? TorchRuntime.Threads : EngineRuntime.Threads;

    // Whether the native engine's library is mapped into this process, whoever loaded it.
    private static bool NativeLoaded() =>
        OperatingSystem.IsLinux() && File.Exists("/proc/self/maps")
        && File.ReadAllText("/proc/self/maps").Contains("libautobatch_native", StringComparison.Ordinal);
}
