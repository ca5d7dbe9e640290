using AutoBatch.Controller.Hosting;
using AutoBatch.Controller.Output;
using AutoBatch.Controller.Processes;
using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Runtime;
using AutoBatch.Engine.Training;
using AutoBatch.Engine.Weights;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoBatch.Controller.Verbs.Measure;

/// <summary>
/// The <c>measure</c> verb: one probe of F̃ on one batch for given weights, printed as JSON on standard output
/// (logs go to standard error, so the output can be piped).
/// </summary>
public sealed class MeasureService : BackgroundService
{
    private readonly MeasureOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<MeasureService> _logger;

    /// <summary>Created by the host.</summary>
    public MeasureService(IOptions<MeasureOptions> options, IHostApplicationLifetime lifetime, ILogger<MeasureService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The report, once measured (for tests and callers).</summary>
    public MeasureReport? Report { get; private set; }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        VerbRunner.RunAsync("measure", _logger, _lifetime, MeasureAndPrintAsync, _ => ExitCodes.Ok, stoppingToken);

    private async Task<MeasureReport> MeasureAndPrintAsync(CancellationToken cancellationToken)
    {
        Report = Measure(cancellationToken);
        await Console.Out.WriteLineAsync(Report.ToJson()).ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return Report;
    }

    private MeasureReport Measure(CancellationToken cancellationToken)
    {
        MeasureOptions o = _options;
        string device = EngineDevices.Check(o.Device, "--device");
        Engines.SetThreads(o.Threads);
        string dataPath = o.DataPath ?? DataSetLoader.DefaultFashionMnistDirectory;
        ImageDataSet train = DataSetLoader.LoadTrain(o.Data, dataPath);  // measure probes training images only
        int[] indices = SelectBatch(o, train.Count);
        ProbeSettings.CheckMemory(indices.Length, o.Indices is null ? Flag(nameof(MeasureOptions.BatchSize)) : Flag(nameof(MeasureOptions.Indices)));
        cancellationToken.ThrowIfCancellationRequested();

        var spec = ModelSpec.Parse(o.Model, new InputShape(train.Channels, train.Height, train.Width), o.Data.ClassCount());
        using ITrainingNetwork network = Engines.CreateNetwork(spec, SgdSettings.Paper, o.Seed, device);
        if (o.Weights is not null)
        {
            WeightsFile.Load(network, o.Weights);
        }

        // The training rule (RunSession): the MLP trains on plain images, so its training augmentation is none.
        AugmentationKind augmentation = o.Augment && spec.Kind != ModelKind.Mlp ? o.Data.DefaultAugmentation() : AugmentationKind.None;
        if (o.Augment && spec.Kind == ModelKind.Mlp)
        {
            Log.AugmentIgnoredForMlp(_logger);
        }

        var assembler = new BatchAssembler(train, ChannelNormalisation.FromData(train), augmentation);
        var x = new float[(long)indices.Length * assembler.SampleSize];
        var y = new long[indices.Length];
        if (augmentation == AugmentationKind.None)
        {
            assembler.FillPlain(indices, x, y);
        }
        else
        {
            assembler.Fill(indices, new Pcg32(unchecked((ulong)o.Seed), BatchIndices.AugmentStream), x, y);
        }

        cancellationToken.ThrowIfCancellationRequested();

        var settings = new ProbeSettings { Mode = o.GramMode, RankTolerance = o.RankTolerance, RankRule = o.RankRule, BothRankRules = true };
        double[]? gram = o.IncludeGram ? new double[indices.Length * indices.Length] : null;
        ProbeReading r = network.Probe(x, y, o.LearningRate, o.BnMode == BatchNormMode.Train, settings, gram);
        // A NonFinite probe's numbers are placeholders (zeros): the report says null for each.
        bool finite = r.Status != ProbeStatus.NonFinite;
        double? Measured(double value) => finite ? MeasureReport.Finite(value) : null;
        var layers = new Dictionary<string, double?>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < network.ProbeLayerNames.Count; i++)
        {
            layers[network.ProbeLayerNames[i]] = Measured(r.LayerTraces![i]);
            if (r.LayerPaths is { } known)
            {
                paths[network.ProbeLayerNames[i]] = known[i].ToString();
            }
        }

        return new MeasureReport
        {
            Model = spec.Name,
            Data = o.Data.ToString(),
            DataPath = Path.GetFullPath(dataPath),
            Parameters = network.ParameterCount,
            WeightsSource = o.Weights is null ? "initial" : "file",
            WeightsPath = o.Weights is null ? null : Path.GetFullPath(o.Weights),
            Seed = o.Seed,
            BatchSize = indices.Length,
            Indices = indices,
            IndexSource = o.Indices is null ? "seeded" : "explicit",
            LearningRate = o.LearningRate,
            BnMode = o.BnMode == BatchNormMode.Train ? "train" : "eval",
            Augmentation = augmentation.ToString(),
            GramMode = o.GramMode.ToString(),
            RankTolerance = o.RankTolerance ?? ProbeSettings.DefaultRankTolerance(indices.Length),
            RankToleranceSource = o.RankTolerance is null ? "default" : "option",
            RankRule = r.RankRule.ToString(),
            OtherRule = r.OtherRule,
            Threads = o.Threads,
            Device = device,
            Status = r.Status.ToString(),
            Eigenvalues = finite ? r.Eigenvalues : null,
            Rank = finite ? r.Rank : null,
            StepCondition = finite && r.Rank > 0 ? MeasureReport.Finite(r.StepCondition) : null,
            StepEnergy = Measured(r.StepEnergy),
            Trace = Measured(r.Trace),
            LambdaMax = Measured(r.LambdaMax),
            LambdaMinPositive = finite && r.Rank > 0 ? MeasureReport.Finite(r.LambdaMinPositive) : null,
            LayerTraces = layers,
            LayerPaths = r.LayerPaths is null ? null : paths,
            MeanGradientSquaredNorm = Measured(r.MeanGradientSquaredNorm),
            // tr Σ divides by B − 1: a batch of one has no spread to measure, and its B_simple is undefined too.
            VarianceTrace = indices.Length > 1 ? Measured(r.VarianceTrace) : null,
            NoiseScale = indices.Length > 1 ? Measured(r.NoiseScale) : null,
            GramSeconds = r.GramSeconds,
            RowsSeconds = r.RowsSeconds,
            EigenSeconds = r.EigenSeconds,
            Gram = gram is null ? null : Rows(gram, indices.Length),
        };
    }

    private static double?[][] Rows(double[] gram, int batch) =>
        [.. Enumerable.Range(0, batch).Select(i => gram.AsSpan(i * batch, batch).ToArray().Select(MeasureReport.Finite).ToArray())];

    /// <summary>The explicit indices, checked against the data set, or a batch drawn from the seed.</summary>
    private static int[] SelectBatch(MeasureOptions o, int count)
    {
        if (o.Indices is null)
        {
            int batchSize = o.BatchSize ?? MeasureOptions.DefaultBatchSize;
            return batchSize <= count
                ? BatchIndices.Draw(o.Seed, batchSize, count)
                : throw new UserInputException(Flag(nameof(MeasureOptions.BatchSize)), $"{batchSize} is larger than the training set ({count} samples); a batch needs distinct samples.");
        }

        if (!BatchIndices.TryParse(o.Indices, out int[] indices, out string error))
        {
            throw new UserInputException(Flag(nameof(MeasureOptions.Indices)), $"{error}");
        }

        foreach (int i in indices)
        {
            if (i >= count)
            {
                throw new UserInputException(Flag(nameof(MeasureOptions.Indices)), $"index {i} is outside the training set, whose indices are 0..{count - 1}.");
            }
        }

        return indices;
    }

    private static string Flag(string property) => OptionRecord.FlagOf(typeof(MeasureOptions), property);
}
