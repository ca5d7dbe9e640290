using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace AutoBatch.Engine.Models.Networks;

/// <summary>
/// A short fingerprint of a module's architecture: SHA-256 over every parameter's and buffer's state-dict name, type of
/// its module, shape, dtype and whether it is trained, in state-dict order. Two modules with the same layers in the
/// same places have the same fingerprint whatever their weights; a different layer, shape or frozen set changes it.
/// </summary>
public static class ArchitectureFingerprint
{
    /// <summary>The first 16 hex digits of the hash.</summary>
    public static string Of(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var text = new StringBuilder();
        Describe(module, "", text);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash)[..16];
    }

    private static void Describe(nn.Module module, string prefix, StringBuilder text)
    {
        string type = module.GetType().Name;
        foreach ((string name, TorchSharp.Modules.Parameter p) in module.named_parameters(recurse: false))
        {
            text.Append(prefix).Append(name).Append(' ').Append(type).Append(" [").AppendJoin(',', p.shape).Append("] ")
                .Append(p.dtype).Append(p.requires_grad ? " trained" : " frozen").Append('\n');
        }

        foreach ((string name, Tensor b) in module.named_buffers(recurse: false))
        {
            text.Append(prefix).Append(name).Append(' ').Append(type).Append(" [").AppendJoin(',', b.shape).Append("] ")
                .Append(b.dtype).Append(" buffer\n");
        }

        foreach ((string name, nn.Module child) in module.named_children())
        {
            Describe(child, prefix + name + ".", text);
        }
    }
}
