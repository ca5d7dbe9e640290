using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>One named tensor of a module's state: a parameter or a buffer.</summary>
/// <param name="Name">PyTorch's state-dict name, e.g. <c>layer1.0.bn1.running_mean</c>.</param>
/// <param name="Tensor">The live tensor (owned by the module).</param>
/// <param name="IsParameter">A parameter (trained) rather than a buffer.</param>
internal sealed record NamedTensor(string Name, Tensor Tensor, bool IsParameter);

/// <summary>A module's state in PyTorch's state-dict order.</summary>
internal static class ModuleState
{
    /// <summary>
    /// Parameters and buffers in PyTorch's state-dict order: the module's own parameters, then its own buffers, then
    /// each child's state depth-first (TorchSharp's <c>named_modules</c> is breadth-first, so it is not used here).
    /// </summary>
    public static IReadOnlyList<NamedTensor> Collect(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var result = new List<NamedTensor>();
        Walk(module, "", result);
        return result;
    }

    private static void Walk(nn.Module module, string prefix, List<NamedTensor> result)
    {
        foreach ((string name, Parameter parameter) in module.named_parameters(recurse: false))
        {
            result.Add(new NamedTensor(prefix + name, parameter, IsParameter: true));
        }

        foreach ((string name, Tensor buffer) in module.named_buffers(recurse: false))
        {
            result.Add(new NamedTensor(prefix + name, buffer, IsParameter: false));
        }

        foreach ((string name, nn.Module child) in module.named_children())
        {
            Walk(child, prefix + name + ".", result);
        }
    }
}
