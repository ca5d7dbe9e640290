using AutoBatch.Beacons.Grid;
using AutoBatch.Beacons.Maps;
using AutoBatch.Controller.Comparison;
using AutoBatch.Controller.Policies;
using static TorchSharp.torch;

namespace AutoBatch.Controller.Library;

/// <summary>
/// Compares schedules on a user's model, as the command line's <c>compare</c> does for a built-in one: every schedule
/// trains from every seed (each run an <see cref="AutoBatchTrainer"/> run steered by the same beacon map), then the
/// report per schedule (final test error mean ± std, Welch's t-test against the <c>best</c> schedule or the map's best
/// beacon, iterations, times, the travelling history of (C̄_K, L_K)) is written as report.md, report.json and plots.
/// Runs go one after another in this process; a finished run is kept, so comparing again in the same folder resumes.
/// </summary>
/// <example>
/// <code>
/// var comparison = new ScheduleComparison(() => new MyNet(), train, test, new ScheduleComparisonOptions
/// {
///     OutputFolder = "compare", BeaconMap = "mynet.json", Schedules = [Schedule.Best, Schedule.ClosedLoop, Schedule.Fixed(256)],
/// });
/// ComparisonReport report = await comparison.RunAsync();
/// </code>
/// </example>
public sealed class ScheduleComparison
{
    private readonly Func<nn.Module<Tensor, Tensor>> _factory;
    private readonly string _name;
    private readonly LabelledData _train;
    private readonly LabelledData _test;
    private readonly ScheduleComparisonOptions _options;
    private readonly string[] _schedules;

    /// <summary>Prepares the comparison; nothing runs until <see cref="RunAsync"/>.</summary>
    /// <param name="modelFactory">Builds a fresh module (the same architecture every time); called once per run, after seeding.</param>
    /// <param name="train">The training samples (those the map was built on).</param>
    /// <param name="test">The test samples, evaluated after every epoch.</param>
    /// <param name="options">The schedules, seeds, map and where the comparison goes.</param>
    /// <param name="name">The model's name in records and maps (default: the module's own name; the map's must match).</param>
    /// <exception cref="ArgumentException">
    /// The options are not valid (no schedule, a schedule twice, no seed, a seed twice), the data do not fit the module,
    /// or the probe cannot decompose it.
    /// </exception>
    public ScheduleComparison(
        Func<nn.Module<Tensor, Tensor>> modelFactory, LabelledData train, LabelledData test, ScheduleComparisonOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(modelFactory);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.BeaconMap);
        ArgumentNullException.ThrowIfNull(options.Schedules);
        ArgumentNullException.ThrowIfNull(options.Seeds);
        _schedules = options.Schedules.Select(s => ScheduleSpec.Parse((s ?? throw new ArgumentException("Schedules: a schedule is null.")).Name).Name).ToArray();
        string? problem = _schedules.Length == 0 ? "Schedules: at least one schedule is needed."
            : _schedules.Distinct(StringComparer.Ordinal).Count() != _schedules.Length ? $"Schedules: {string.Join(", ", _schedules)} names a schedule twice."
            : options.Seeds.Count == 0 ? "Seeds: at least one seed is needed."
            : options.Seeds.Distinct().Count() != options.Seeds.Count ? $"Seeds: {string.Join(", ", options.Seeds)} names a seed twice."
            : options.Epochs is < 1 ? $"Epochs: {options.Epochs}, expected >= 1."
            : options.Threads < 1 ? $"Threads: {options.Threads}, expected >= 1."
            : null;
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        using (nn.Module<Tensor, Tensor> sample = modelFactory())
        {
            _name = string.IsNullOrWhiteSpace(name) ? sample.GetName() : name;
            ModelName = UserModel.Admit(sample, _name, train, test, options.Device, nameof(ScheduleComparison)).Name;
        }

        _factory = modelFactory;
        _train = train;
        _test = test;
        _options = options;
    }

    /// <summary>The model's name in records and maps: <c>custom:NAME@FINGERPRINT</c>.</summary>
    public string ModelName { get; }

    /// <summary>
    /// Reads the map (refusing one of another architecture before anything is written), runs the comparison's
    /// unfinished runs and writes the report from all its finished runs into <see cref="ScheduleComparisonOptions.OutputFolder"/>.
    /// Cancelling stops the run in progress at a step boundary with a checkpoint (the next comparison in the folder
    /// continues it); finished runs are kept.
    /// </summary>
    /// <param name="progress">Receives every run as it finishes (its records are in <see cref="CompareRun.FolderIn"/> of the output folder).</param>
    /// <param name="cancellationToken">Stops the comparison.</param>
    /// <returns>The report, as report.json holds it.</returns>
    /// <exception cref="InvalidDataException">The map is of another architecture or data set; the message names both.</exception>
    /// <exception cref="InvalidOperationException">A run failed (other than by diverging); the report is written without it and the message names it and why.</exception>
    public async Task<ComparisonReport> RunAsync(IProgress<CompareRun>? progress = null, CancellationToken cancellationToken = default)
    {
        BeaconMap map = BeaconMapFile.Read(_options.BeaconMap, ModelName, _train.Kind);
        var spec = new CompareSpec
        {
            Map = Path.GetFullPath(_options.BeaconMap),
            Schedules = _schedules,
            Seeds = [.. _options.Seeds],
            Epochs = _options.Epochs ?? map.Grid.Epochs,
            LearningRateRule = _options.LearningRateRule,
        };
        string folder = _options.OutputFolder;
        using FolderLock owner = FolderLock.Acquire(folder, nameof(ScheduleComparisonOptions.OutputFolder));
        spec.Claim(folder, field => field switch
        {
            CompareSpec.OutputSetting => nameof(ScheduleComparisonOptions.OutputFolder),
            nameof(CompareSpec.Map) => nameof(ScheduleComparisonOptions.BeaconMap),
            _ => field,
        });
        var executor = new InProcessCompareExecutor(_factory, _name, ModelName, _train, _test, _options.Device, _options.Threads);
        var failures = new List<string>();
        await new CompareRunner(folder, spec, executor).RunAsync(
            parallel: 1, onFinished: r => progress?.Report(r), onFailed: (run, e) => failures.Add($"run {run.Id}: {e.Message}"),
            cancellationToken).ConfigureAwait(false);
        ComparisonReport report = ReportBuilder.Build(folder, spec, map);
        ReportWriter.Write(report, map, folder);
        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"{failures.Count} run(s) of the comparison failed (the report in {folder} lists them as missing; finished runs are kept): {string.Join("; ", failures)}");
        }

        return report;
    }
}
