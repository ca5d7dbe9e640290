using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.GridRuns;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// A beacon grid of a user's model: short runs at every batch size x learning rate x seed, each recording the Fisher
/// measures (C̄_K, L_K) and the errors per epoch, written as a beacon map that <see cref="AutoBatchTrainer"/> (and the
/// command line's <c>run</c> and <c>compare</c>) accept. The map records the model's name with the fingerprint of its
/// architecture (its layers' types and shapes), so a map of another architecture is refused. Runs go one after
/// another in this process, each finished run saved at once: building again in the same folder resumes, and a run
/// stopped part-way continues from its last checkpoint (every epoch).
/// </summary>
/// <example>
/// <code>
/// var grid = new BeaconGrid(() => new MyNet(), train, test, new BeaconGridOptions
/// {
///     OutputFolder = "grid", MapPath = "mynet.json", BatchSizes = [32, 128, 512], LearningRates = [0.05, 0.2], Epochs = 4,
/// });
/// BeaconMap map = await grid.BuildAsync();
/// </code>
/// </example>
public sealed class BeaconGrid
{
    private readonly Func<nn.Module<Tensor, Tensor>> _factory;
    private readonly string _name;
    private readonly LabelledData _train;
    private readonly LabelledData _test;
    private readonly BeaconGridOptions _options;
    private readonly GridSpec _grid;

    /// <summary>Prepares the grid; nothing runs until <see cref="BuildAsync"/>.</summary>
    /// <param name="modelFactory">Builds a fresh module (the same architecture every time); called once per run, after seeding.</param>
    /// <param name="train">The training samples.</param>
    /// <param name="test">The test samples, evaluated after every epoch.</param>
    /// <param name="options">The grid and where it goes.</param>
    /// <param name="name">The model's name in the map (default: the module's own name).</param>
    /// <exception cref="ArgumentException">The grid is not valid, the data do not fit the module, or the probe cannot decompose it.</exception>
    public BeaconGrid(Func<nn.Module<Tensor, Tensor>> modelFactory, LabelledData train, LabelledData test, BeaconGridOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(modelFactory);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.MapPath);
        using (nn.Module<Tensor, Tensor> sample = modelFactory())
        {
            _name = string.IsNullOrWhiteSpace(name) ? sample.GetName() : name;
            ModelName = UserModel.Admit(sample, _name, train, test, options.Device, nameof(BeaconGrid)).Name;
        }

        _factory = modelFactory;
        _train = train;
        _test = test;
        _options = options;
        _grid = new GridSpec
        {
            Model = ModelName,
            Data = train.Kind,
            BatchSizes = [.. options.BatchSizes],
            LearningRates = [.. options.LearningRates],
            Seeds = [.. options.Seeds],
            Epochs = options.Epochs,
            ProbeInterval = options.ProbeInterval,
        };
        _grid.Validate();
    }

    /// <summary>The model's name in the map: <c>custom:NAME@FINGERPRINT</c>.</summary>
    public string ModelName { get; }

    /// <summary>
    /// The runs the last <see cref="BuildAsync"/> could not continue from what a stopped build left in their work folder
    /// (a checkpoint of other settings, a damaged file) and did again from the start, each with why.
    /// </summary>
    public IReadOnlyList<string> Restarts { get; private set; } = [];

    /// <summary>
    /// Runs the grid's unfinished runs and writes the map (to <see cref="BeaconGridOptions.MapPath"/>) from all its
    /// finished runs. Cancelling stops after the run in progress reaches a step boundary; finished runs are kept.
    /// </summary>
    /// <param name="progress">Receives every run as it finishes.</param>
    /// <param name="cancellationToken">Stops the grid.</param>
    /// <exception cref="InvalidOperationException">A run failed (other than by diverging); the message names it and why.</exception>
    public async Task<BeaconMap> BuildAsync(IProgress<BeaconRun>? progress = null, CancellationToken cancellationToken = default)
    {
        var store = new GridStore(_options.OutputFolder, _grid);
        var executor = new InProcessRunExecutor(_factory, _name, _train, _test, _options.Device, _options.Threads);
        var failures = new List<string>();
        var restarts = new List<string>();
        await new GridRunner(store, executor).RunAsync(
            Shard.All,
            parallel: 1,
            onFinished: r => progress?.Report(r),
            onFailed: (key, e) => failures.Add($"run {key.Id}: {e.Message}"),
            onRestarted: (key, e) => restarts.Add($"run {key.Id}: {e.Message}"),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        Restarts = restarts;
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"{failures.Count} run(s) of the grid failed (finished runs are kept): {string.Join("; ", failures)}");
        }

        return MapWriter.Write(
            _grid, store.LoadFinished(), _options.MapPath, nameof(BeaconGridOptions.MapPath), $"{nameof(BeaconGrid)} ({ModelName})", _options.Threads, 1);
    }
}
