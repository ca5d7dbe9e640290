using AutoBatch.Engine;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Models.Networks;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// What the library needs to know of a user's module: the engine it runs on (TorchSharp, selected in process), the
/// device, the number of classes (its output width) and its name with the architecture's fingerprint.
/// </summary>
internal sealed class UserModel
{
    private UserModel(string name, InputShape input, int classes, string device)
    {
        Name = name;
        Input = input;
        Classes = classes;
        DeviceName = device;
        Device = EngineDevices.Torch(device);
    }

    /// <summary>The module's name as records and maps give it: <c>custom:NAME@FINGERPRINT</c>.</summary>
    public string Name { get; }

    /// <summary>The input shape.</summary>
    public InputShape Input { get; }

    /// <summary>The number of classes (the module's output width).</summary>
    public int Classes { get; }

    /// <summary>Where the tensors live.</summary>
    public Device Device { get; }

    /// <summary>The device's name as runs record it (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
    public string DeviceName { get; }

    /// <summary>
    /// Selects the TorchSharp engine for this process (refused if the native one is in use), resolves the device and
    /// describes <paramref name="model"/> on inputs of <paramref name="input"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The device cannot be used, or the module's output is not B x classes.</exception>
    public static UserModel Describe(nn.Module<Tensor, Tensor> model, string name, InputShape input, string device, string caller)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Engines.Require(EngineKind.TorchSharp, caller);
        string checkedDevice = Check(device);
        Device where = EngineDevices.Torch(checkedDevice);
        int classes;
        model.to(where);  // outside the scope below, which would dispose the moved parameters
        using (NewDisposeScope())
        using (no_grad())
        {
            bool training = model.training;
            model.eval();
            Tensor output = model.call(zeros([1, input.Channels, input.Height, input.Width], device: where));
            model.train(training);
            if (output.dim() != 2 || output.shape[1] < 2)
            {
                throw new ArgumentException(
                    $"The module '{name}' gives output [{string.Join(", ", output.shape)}] for one {input} image; expected [1, classes] logits with classes >= 2.");
            }

            classes = (int)output.shape[1];
        }

        return new UserModel(ModelSpec.Custom(name, ArchitectureFingerprint.Of(model), input, classes).Name, input, classes, checkedDevice);
    }

    /// <summary>
    /// Everything a library entry point checks before it trains anything: <see cref="Describe"/>, the training and test
    /// data against the module, and a network built once, which refuses a module the probe cannot decompose (naming
    /// its path and type) now rather than when training starts.
    /// </summary>
    public static UserModel Admit(
        nn.Module<Tensor, Tensor> model, string name, LabelledData train, LabelledData test, string device, string caller)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        UserModel described = Describe(model, name, train.Shape, device, caller);
        described.Check(train, "train");
        described.Check(test, "test");
        using (described.Network(model, name))
        {
            // Built only to be refused or disposed.
        }

        return described;
    }

    /// <summary>A network over the module (which outlives it), with the paper's SGD settings.</summary>
    public TorchNetwork Network(nn.Module<Tensor, Tensor> model, string name) =>
        TorchNetwork.Create(model, name, Input, Classes, SgdSettings.Paper, Device, leaveOpen: true);

    /// <summary>Throws unless the data fit the module: same image shape, labels within its classes.</summary>
    public void Check(LabelledData data, string role)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Shape != Input)
        {
            throw new ArgumentException($"{role} ({data.Name}): images are {data.Shape}, the training set's are {Input}.");
        }

        if (data.Classes > Classes)
        {
            throw new ArgumentException($"{role} ({data.Name}): {data.Classes} classes, the module has {Classes} outputs.");
        }
    }

    // cpu, or cuda[:N] when LibTorch sees a CUDA device: the command line's --device takes the same path.
    private static string Check(string device)
    {
        try
        {
            return EngineDevices.Check(device, nameof(AutoBatchOptions.Device));
        }
        catch (UserInputException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }
}
