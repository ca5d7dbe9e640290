using AutoBatch.Beacons.Maps;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library.Tests;

/// <summary>Small user models and data for the library's tests (1 x 8 x 8 images, 3 classes).</summary>
internal static class TinyModels
{
    /// <summary>conv(1→4) → BN → ReLU → pool → linear(4·4·4 → 3), as a Sequential (which disposes its layers' outputs).</summary>
    /// <param name="width">The convolution's channels.</param>
    /// <param name="tripwire">If given, called by a first, parameterless layer at every forward pass (tests use it to act from inside a run).</param>
    public static nn.Module<Tensor, Tensor> Cnn(int width = 4, Action? tripwire = null)
    {
        (string, nn.Module<Tensor, Tensor>)[] layers =
        [
            ("conv", nn.Conv2d(1, width, 3, padding: 1)), ("bn", nn.BatchNorm2d(width)), ("relu", nn.ReLU()), ("pool", nn.MaxPool2d(2)),
            ("flat", nn.Flatten()), ("fc", nn.Linear(width * 4 * 4, 3)),
        ];
#pragma warning disable CA2000 // the Sequential owns its layers and disposes them with itself
        return nn.Sequential(tripwire is null ? layers : [("tripwire", new Tripwire(tripwire)), .. layers]);
#pragma warning restore CA2000
    }

    /// <summary>
    /// <paramref name="count"/> random images whose class shifts their mean (so that they can be learned), as tensors
    /// drawn from <paramref name="seed"/>.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Data(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        Tensor labels = randint(0, 3, [count], generator: generator, dtype: int64);
        Tensor images = randn([count, 1, 8, 8], generator: generator) + labels.to(float32).view(count, 1, 1, 1);
        return (images, labels);
    }

    /// <summary>Training and test sets from <see cref="Data"/>.</summary>
    public static (LabelledData Train, LabelledData Test) Sets(int train = 96, int test = 48)
    {
        (Tensor x, Tensor y) = Data(train, 1);
        (Tensor tx, Tensor ty) = Data(test, 2);
        return (LabelledData.FromTensors(x, y, classes: 3), LabelledData.FromTensors(tx, ty, classes: 3));
    }

    /// <summary>
    /// A beacon map of <see cref="Cnn"/> (named <c>tiny</c>) on <see cref="Sets"/>: B in {8, 32} x α in {0.05, 0.2}, one
    /// seed, 2 epochs, probe every 2 iterations, built by <see cref="BeaconGrid"/> in a fresh folder.
    /// </summary>
    public static (BeaconMap Map, string Path, string Model, LabelledData Train, LabelledData Test) Map()
    {
        (LabelledData train, LabelledData test) = Sets();
        string folder = Folder("grid");
        string path = System.IO.Path.Combine(folder, "tiny.json");
        var grid = new BeaconGrid(() => Cnn(), train, test, new BeaconGridOptions
        {
            OutputFolder = System.IO.Path.Combine(folder, "grid"), MapPath = path, BatchSizes = [8, 32], LearningRates = [0.05, 0.2], Epochs = 2, ProbeInterval = 2,
        }, name: "tiny");
        BeaconMap map = grid.BuildAsync().GetAwaiter().GetResult();
        return (map, path, grid.ModelName, train, test);
    }

    /// <summary>A fresh folder under the test's work directory.</summary>
    public static string Folder(string name)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "library-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A layer that passes its input through and calls an action first.</summary>
    private sealed class Tripwire(Action action) : nn.Module<Tensor, Tensor>("Tripwire")
    {

        public override Tensor forward(Tensor input)
        {
            action();
            return input.alias();
        }
    }
}
