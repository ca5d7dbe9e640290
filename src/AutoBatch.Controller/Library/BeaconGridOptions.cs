namespace AutoBatch.Controller.Library;

/// <summary>Settings of a <see cref="BeaconGrid"/>: the grid (batch sizes x learning rates x seeds), its runs' length and where it goes.</summary>
public sealed class BeaconGridOptions
{
    /// <summary>Folder of the grid: grid.json, one runs/&lt;id&gt;.json per finished run, work/ for runs in progress. Required.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Path of the beacon map to write (JSON, with its plots in a folder beside it named after it). Required.</summary>
    public required string MapPath { get; init; }

    /// <summary>Batch sizes of the grid. Required, each >= 1.</summary>
    public required IReadOnlyList<int> BatchSizes { get; init; }

    /// <summary>Initial learning rates of the grid. Required, each > 0.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Seeds (default one seed, 1); each run's module is built by the factory after seeding TorchSharp's generator with it.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [1];

    /// <summary>Epochs per run (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Probe every this many iterations of an epoch (default 50; a small training subset wants fewer).</summary>
    public int ProbeInterval { get; init; } = 50;

    /// <summary>Where the tensors live: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>LibTorch's intra-op threads (default 1). Runs go one after another in this process.</summary>
    public int Threads { get; init; } = 1;
}
