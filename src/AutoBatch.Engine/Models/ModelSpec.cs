using System.Globalization;
using System.Text.RegularExpressions;

namespace AutoBatch.Engine.Models;

/// <summary>
/// Description of a network the native core can build. Use the factory methods or <see cref="Parse"/>; the
/// presets reproduce the paper's models (Sec. 4): <c>mlp</c> (784-500-500-10), <c>resnet8</c> / <c>resnet110</c>
/// (any depth 6n+2), <c>densenet8</c> and <c>densenet110</c>.
/// </summary>
public sealed partial record ModelSpec
{
    private ModelSpec(ModelKind kind, string name, InputShape input, int classes)
    {
        if (input.Channels < 1 || input.Height < 1 || input.Width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(input), input, "Input channels, height and width must be >= 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Kind = kind;
        Name = name;
        Input = input;
        Classes = classes;
    }

    /// <summary>Architecture family.</summary>
    public ModelKind Kind { get; }

    /// <summary>Canonical name, accepted back by <see cref="Parse"/>.</summary>
    public string Name { get; }

    /// <summary>Input image shape.</summary>
    public InputShape Input { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>MLP hidden widths.</summary>
    public IReadOnlyList<int> Hidden { get; private init; } = [];

    /// <summary>ResNet units per stage (n in depth 6n+2).</summary>
    public int ResNetUnits { get; private init; }

    /// <summary>ResNet width of the first stage; stages use 1x, 2x, 4x (default 16).</summary>
    public int ResNetBaseWidth { get; private init; } = 16;

    /// <summary>Whether a ReLU follows each residual addition (default true).</summary>
    public bool ReluAfterAdd { get; private init; } = true;

    /// <summary>DenseNet layers per block.</summary>
    public IReadOnlyList<int> DenseLayers { get; private init; } = [];

    /// <summary>DenseNet growth rate per block.</summary>
    public IReadOnlyList<int> DenseGrowth { get; private init; } = [];

    /// <summary>DenseNet channels after the first convolution.</summary>
    public int DenseInitChannels { get; private init; } = 16;

    /// <summary>DenseNet-B bottleneck (1x1 conv to 4k channels before each 3x3).</summary>
    public bool DenseBottleneck { get; private init; }

    /// <summary>DenseNet transition compression θ in (0, 1].</summary>
    public double DenseCompression { get; private init; } = 1.0;

    /// <summary>
    /// A user's own module, described by its input, classes and a name that carries its architecture's fingerprint
    /// (<c>custom:NAME@FINGERPRINT</c>, see <see cref="Networks.ArchitectureFingerprint"/>), so that a checkpoint or a
    /// map of another architecture is refused by name. Not accepted back by <see cref="Parse"/>: the module is the user's.
    /// </summary>
    public static ModelSpec Custom(string name, string fingerprint, InputShape input, int classes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        return new ModelSpec(ModelKind.Custom, $"custom:{name.Trim()}@{fingerprint}", input, classes);
    }

    /// <summary>MLP with the given hidden widths and ReLU.</summary>
    public static ModelSpec Mlp(InputShape input, int classes, params int[] hidden)
    {
        foreach (int h in hidden)
        {
            if (h < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(hidden), h, $"MLP hidden widths must be >= 1, found {h}.");
            }
        }

        string name = "mlp:" + string.Join('-', hidden);
        return new ModelSpec(ModelKind.Mlp, name, input, classes) { Hidden = hidden.ToArray() };
    }

    /// <summary>ResNet of depth 6n+2 with the paper's unit (conv-BN-ReLU-conv-BN + parameter-free shortcut).</summary>
    public static ModelSpec ResNet(InputShape input, int classes, int depth, bool reluAfterAdd = true, int baseWidth = 16)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "ResNet depth must be 6n+2 with n >= 1 (8, 14, 20, ..., 110).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(baseWidth, 1);
        return new ModelSpec(ModelKind.ResNet, "resnet" + depth.ToString(CultureInfo.InvariantCulture), input, classes)
        {
            ResNetUnits = (depth - 2) / 6,
            ReluAfterAdd = reluAfterAdd,
            ResNetBaseWidth = baseWidth,
        };
    }

    /// <summary>DenseNet with one entry per block in <paramref name="layers"/> and <paramref name="growth"/>.</summary>
    public static ModelSpec DenseNet(
        InputShape input, int classes, IReadOnlyList<int> layers, IReadOnlyList<int> growth,
        int initChannels = 16, bool bottleneck = false, double compression = 1.0, string? name = null)
    {
        if (layers.Count == 0 || layers.Count != growth.Count)
        {
            throw new ArgumentException("DenseNet needs one layer count and one growth rate per block.", nameof(layers));
        }

        if (layers.Any(l => l < 1) || growth.Any(g => g < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(layers), "DenseNet layer counts and growth rates must be >= 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(initChannels, 1);
        if (!(compression > 0 && compression <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression, "DenseNet compression must be in (0, 1].");
        }

        name ??= string.Create(
            CultureInfo.InvariantCulture,
            $"densenet:{string.Join('-', layers)}/{string.Join('-', growth)}/{initChannels}/{(bottleneck ? "b" : "nb")}/{compression:R}");
        return new ModelSpec(ModelKind.DenseNet, name, input, classes)
        {
            DenseLayers = layers.ToArray(),
            DenseGrowth = growth.ToArray(),
            DenseInitChannels = initChannels,
            DenseBottleneck = bottleneck,
            DenseCompression = compression,
        };
    }

    /// <summary>
    /// Parses a model name: <c>mlp</c> (500-500), <c>mlp:W1-W2-...</c>, <c>resnetD</c> (D = 6n+2),
    /// <c>densenet8</c> (the paper's MNIST model: 3 blocks x 2 layers, growth 8, compression 0.5, ~10k parameters
    /// on 28x28), <c>densenet110</c> (3 blocks x 18 layers, growth 8/10/14, no compression, ~1.7M on CIFAR), or
    /// <c>densenet:L1-L2-L3/G1-G2-G3[/init[/b|nb[/compression]]]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of these forms.</exception>
    public static ModelSpec Parse(string name, InputShape input, int classes)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        try
        {
            if (n == "mlp")
            {
                return Mlp(input, classes, 500, 500);
            }

            if (n.StartsWith("mlp:", StringComparison.Ordinal))
            {
                return Mlp(input, classes, IntList(n[4..]));
            }

            Match resnet = ResNetPattern().Match(n);
            if (resnet.Success)
            {
                return ResNet(input, classes, int.Parse(resnet.Groups[1].Value, CultureInfo.InvariantCulture));
            }

            if (n == "densenet8")
            {
                return DenseNet(input, classes, [2, 2, 2], [8, 8, 8], 16, bottleneck: false, compression: 0.5, name: "densenet8");
            }

            if (n == "densenet110")
            {
                return DenseNet(input, classes, [18, 18, 18], [8, 10, 14], 16, bottleneck: false, compression: 1.0, name: "densenet110");
            }

            if (n.StartsWith("densenet:", StringComparison.Ordinal))
            {
                string[] parts = n[9..].Split('/');
                if (parts.Length is < 2 or > 5)
                {
                    throw new FormatException("expected densenet:L1-L2-L3/G1-G2-G3[/init[/b|nb[/compression]]]");
                }

                int init = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 16;
                bool bottleneck = parts.Length > 3 && parts[3] == "b";
                double compression = parts.Length > 4 ? double.Parse(parts[4], CultureInfo.InvariantCulture) : 1.0;
                return DenseNet(input, classes, IntList(parts[0]), IntList(parts[1]), init, bottleneck, compression);
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            // No parameter name: the message goes to users, who gave a model name, not a parameter.
            throw new ArgumentException($"Model '{name}' is not valid: {Reason(e)}", e);
        }

        throw new ArgumentException(
            $"Unknown model '{name}': expected mlp, mlp:W1-W2-..., resnet<6n+2> (e.g. resnet8, resnet110), densenet8, densenet110 or densenet:L1-L2-L3/G1-G2-G3.");
    }

    /// <summary>
    /// The rule an argument check broke, without the "(Parameter 'x')" and "Actual value was" lines the runtime adds:
    /// the user gave a model name, not a parameter.
    /// </summary>
    private static string Reason(Exception e)
    {
        string message = e.Message;
        int parameter = e is ArgumentException { ParamName: not null } ? message.IndexOf(" (Parameter '", StringComparison.Ordinal) : -1;
        return parameter >= 0 ? message[..parameter] : message;
    }

    private static int[] IntList(string text) =>
        text.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [GeneratedRegex("^resnet(\\d+)$")]
    private static partial Regex ResNetPattern();
}
