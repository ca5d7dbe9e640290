using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Runtime;

/// <summary>
/// The device a network's tensors live on, as an option names it: <c>cpu</c> (the default), <c>cuda</c> or
/// <c>cuda:N</c>. One path for every entry point: the command line's <c>--device</c> and the library's <c>Device</c>
/// are checked here (<see cref="Check"/>) and turned into TorchSharp's device here (<see cref="Torch"/>). The native
/// engine runs on the CPU only; on TorchSharp a CUDA device is taken when <c>torch.cuda.is_available()</c> says so,
/// which the build's default runtime package (LibTorch for CPU) never does (docs/TORCHSHARP.md, 'Devices').
/// </summary>
public static class EngineDevices
{
    /// <summary>The default device.</summary>
    public const string Cpu = "cpu";

    /// <summary>
    /// Checks <paramref name="value"/> for this process's engine and returns its canonical name (<c>cpu</c>,
    /// <c>cuda</c> or <c>cuda:N</c>). <c>cpu</c> loads no engine; anything else reads <see cref="Engines.Current"/>
    /// and, on TorchSharp, asks LibTorch whether CUDA is available.
    /// </summary>
    /// <param name="value">The device as the user wrote it.</param>
    /// <param name="input">How the user named the setting (<c>--device</c>, <c>Device</c>), named in a refusal.</param>
    /// <exception cref="UserInputException">
    /// Not a device; a CUDA device with the native engine (the message names <see cref="Engines.Variable"/>); CUDA not
    /// available, or no device N.
    /// </exception>
    public static string Check(string? value, string input)
    {
        string name = Canonical(value, input);
        if (name == Cpu)
        {
            return name;
        }

        if (Engines.Current != EngineKind.TorchSharp)
        {
            throw new UserInputException(
                input,
                $"'{value}' needs the TorchSharp engine: the native engine ({Engines.Variable}=native) runs on the CPU only; unset {Engines.Variable} (TorchSharp is the default), or use cpu.");
        }

        if (!CudaAvailable())
        {
            throw new UserInputException(
                input,
                $"'{value}' was asked for, but torch.cuda.is_available() is false (no CUDA device, or a LibTorch without CUDA: the build's default runtime is LibTorch for CPU, docs/TORCHSHARP.md); use cpu.");
        }

        int count = CudaDevices();
        if (name.Length > "cuda".Length && int.Parse(name["cuda:".Length..], CultureInfo.InvariantCulture) >= count)
        {
            throw new UserInputException(input, $"'{value}': this machine has {count} CUDA device(s), numbered from 0.");
        }

        return name;
    }

    /// <summary>
    /// The canonical name of a device: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (trimmed, lower case), without
    /// asking any engine whether it is there.
    /// </summary>
    /// <exception cref="UserInputException">Not one of those.</exception>
    public static string Canonical(string? value, string input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        string name = value?.Trim().ToLowerInvariant() ?? string.Empty;
        if (name is Cpu or "cuda")
        {
            return name;
        }

        if (name.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(name["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return string.Create(CultureInfo.InvariantCulture, $"cuda:{index}");
        }

        throw new UserInputException(input, $"'{value}' is not a device; expected cpu, cuda or cuda:N.");
    }

    /// <summary>TorchSharp's device for a name <see cref="Check"/> accepted.</summary>
    public static Device Torch(string name) => Canonical(name, nameof(name)) == Cpu ? CPU : new Device(name);

    // Apart, so that checking cpu never loads LibTorch (a native-engine process must not).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool CudaAvailable() => cuda.is_available();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CudaDevices() => cuda.device_count();
}
