using AutoBatch.Controller.Library;
using TorchSharp;
using static TorchSharp.torch;

// SmallCnn [training images = 10000] [epochs = 6] [output folder = runs/small-cnn] [test images = all 10000]
int images = args.Length > 0 ? int.Parse(args[0]) : 10_000, epochs = args.Length > 1 ? int.Parse(args[1]) : 6;
string output = args.Length > 2 ? args[2] : "runs/small-cnn", map = Path.Combine(output, "small-cnn.json"), device = cuda.is_available() ? "cuda" : "cpu";
var (train, test) = LabelledData.Load(trainSubset: images, testSubset: args.Length > 3 ? int.Parse(args[3]) : null);

// 1. A beacon map of this model on the same data: 3 batch sizes x 3 learning rates.
await new BeaconGrid(() => new SmallCnn(), train, test, new BeaconGridOptions
{
    OutputFolder = Path.Combine(output, "grid"), MapPath = map, BatchSizes = [16, 64, 256],
    LearningRates = [0.01, 0.03, 0.1], Epochs = epochs, ProbeInterval = 5, Device = device,
}).BuildAsync();

// 2. The closed loop, steered by that map, from the best beacon with the largest batch inside its target.
random.manual_seed(1);
var trainer = new AutoBatchTrainer(new SmallCnn(), train, test, new AutoBatchOptions { OutputFolder = Path.Combine(output, "run"), BeaconMap = map, Device = device });
await foreach (TrainingEvent e in trainer.TrainAsync())
    Console.WriteLine(e switch
    {
        EpochCompleted x => $"epoch {x.Record.Epoch}: B = {x.Record.BatchSize}, test error {x.Record.TestError:P2}, C̄_K {x.Record.CumulativeCondition:G4}, L_K {x.Record.CumulativeEnergy:G4}",
        DecisionMade x => $"  {x.Decision.Kind}: B {x.Decision.From} -> {x.Decision.To}: {x.Decision.Reason}",
        _ => $"final test error {trainer.Summary!.FinalTestError:P2}, {trainer.Summary.Iterations} iterations, {trainer.Summary.TrainSeconds:F1} s training",
    });

/// <summary>Not one of AutoBatch's built-in models: two convolutions with BatchNorm and max-pooling, a linear head.</summary>
internal sealed class SmallCnn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _layers = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10));

    public SmallCnn() : base(nameof(SmallCnn)) => RegisterComponents();

    public override Tensor forward(Tensor input) => _layers.call(input);
}
