using System.Globalization;
using AutoBatch.Beacons.Maps;

namespace AutoBatch.Beacons.Plots;

/// <summary>Consistent colour per batch size and marker/dash per learning rate across a map's plots.</summary>
internal sealed class BeaconStyles
{
    public BeaconStyles(BeaconMap map)
    {
        BatchSizes = map.Grid.BatchSizes.Concat(map.Runs.Select(r => r.BatchSize)).Distinct().Order().ToArray();
        LearningRates = map.Grid.LearningRates.Concat(map.Runs.Select(r => r.LearningRate)).Distinct().Order().ToArray();
    }

    public IReadOnlyList<int> BatchSizes { get; }

    public IReadOnlyList<double> LearningRates { get; }

    public string Colour(int batchSize) => Palette.BatchColour(IndexOf(BatchSizes, batchSize), BatchSizes.Count);

    public int LearningRateIndex(double learningRate) => IndexOf(LearningRates, learningRate);

    public static string Rate(double learningRate) => learningRate.ToString("R", CultureInfo.InvariantCulture);

    private static int IndexOf<T>(IReadOnlyList<T> values, T value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(values[i], value))
            {
                return i;
            }
        }

        return 0;
    }
}
