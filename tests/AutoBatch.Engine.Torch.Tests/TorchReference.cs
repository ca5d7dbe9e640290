using AutoBatch.Engine.Models;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Torch;

/// <summary>
/// What PyTorch (Debian's python3-torch, an independent LibTorch) computes for a model, seed and steps:
/// torch_reference.py beside this file, on tools/autobatch_models.py's models.
/// </summary>
internal sealed class TorchReference
{
    private readonly Dictionary<string, StateTensor> _tensors;

    private TorchReference(Dictionary<string, StateTensor> tensors) => _tensors = tensors;

    /// <summary>Tensors under a prefix (<c>init.</c>, <c>grad_train.</c>, ...), in the order PyTorch wrote them.</summary>
    public IReadOnlyList<StateTensor> Group(string prefix) =>
        [.. _tensors.Values.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t with { Name = t.Name[prefix.Length..] })];

    public StateTensor this[string name] => _tensors[name];

    /// <summary>Runs the reference on <paramref name="batches"/>, one training step per batch at the given rates.</summary>
    public static TorchReference Run(string model, InputShape shape, int classes, long seed, IReadOnlyList<double> rates, IReadOnlyList<(float[] X, long[] Y)> batches)
    {
        PythonTorch.Require();
        string root = PythonTorch.RepositoryRoot();
        string folder = Directory.CreateTempSubdirectory("ab-torch-reference-").FullName;
        try
        {
            var inputs = new List<StateTensor>();
            for (int i = 0; i < batches.Count; i++)
            {
                (float[] x, long[] y) = batches[i];
                inputs.Add(new StateTensor($"x{i}", StateDType.Float32, [y.Length, shape.Channels, shape.Height, shape.Width], Bytes(x)));
                inputs.Add(new StateTensor($"y{i}", StateDType.Int64, [y.Length], Bytes(y)));
            }

            string input = Path.Combine(folder, "batches.safetensors");
            string output = Path.Combine(folder, "reference.safetensors");
            SafeTensorsFile.Write(input, inputs);
            string script = Path.Combine(root, "tests", "AutoBatch.Engine.Torch.Tests", "torch_reference.py");
            string[] arguments =
            [
                script, model, $"{shape.Channels}", $"{shape.Height}", $"{shape.Width}", $"{classes}", $"{seed}",
                string.Join(',', rates.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), input, output,
            ];
            (int exit, _, string stderr) = PythonTorch.Run(arguments, folder, Path.Combine(root, "tools"));
            Assert.That(exit, Is.Zero, stderr);
            return new TorchReference(SafeTensorsFile.Read(output).ToDictionary(t => t.Name, StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
