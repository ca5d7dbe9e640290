using AutoBatch.Engine;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Models;
using AutoBatch.Engine.Probe;

namespace AutoBatch.Beacons.Maps;

/// <summary>
/// Checks that a beacon map was built for the model and data set a run is about to use: a map's optimum
/// region and early predictions say nothing about another architecture or another data set.
/// </summary>
public static class MapCompatibility
{
    // Any valid shape gives the canonical name: names do not depend on the input (ModelSpec.Parse).
    private static readonly InputShape NamingShape = new(1, 28, 28);
    private const string CustomPrefix = "custom:";

    /// <summary>
    /// Throws unless <paramref name="map"/>'s grid (<see cref="Grid.GridSpec.Model"/>, <see cref="Grid.GridSpec.Data"/>)
    /// is <paramref name="expectedModel"/> on <paramref name="expectedData"/>. Models compare by their canonical name,
    /// so <c>mlp</c>, <c>MLP</c> and <c>mlp:500-500</c> are the same model.
    /// </summary>
    /// <param name="map">The map, e.g. from <see cref="BeaconMapFile.Read"/>.</param>
    /// <param name="expectedModel">The model of the run (a <see cref="ModelSpec.Parse"/> name).</param>
    /// <param name="expectedData">The data set of the run.</param>
    /// <param name="mapPath">The map's file, named in the message (default: "the beacon map").</param>
    /// <exception cref="ArgumentException"><paramref name="expectedModel"/> is not a valid model name.</exception>
    /// <exception cref="InvalidDataException">
    /// The map is for another model or data set, or names a model this build does not know; the message names the
    /// file, the map's model and data set and the expected ones.
    /// </exception>
    public static void EnsureCompatible(BeaconMap map, string expectedModel, DataSetKind expectedData, string? mapPath = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedModel);
        string source = mapPath ?? "the beacon map";

        // The map's model first: a map of an unknown model is the file's fault whatever the caller expects.
        string? found = TryCanonical(map.Grid.Model);
        if (found is null)
        {
            throw new UserInputException(source, $"grid.model '{map.Grid.Model}' is not a model this build knows; expected a map for {TryCanonical(expectedModel) ?? expectedModel.Trim()} on {Describe(expectedData)}.");
        }

        string expected = Canonical(expectedModel);

        if ((found != expected || map.Grid.Data != expectedData) && (IsCustom(found) || IsCustom(expected)))
        {
            throw new InvalidDataException(
                $"{source}: the map is for {found} on {Describe(map.Grid.Data)}, but the run uses {expected} on {Describe(expectedData)}; "
                + "a map describes one architecture (the name's fingerprint covers its layers' types and shapes): build a map of this model "
                + "with the library's beacon grid, or give a map of the same model and data set.");
        }

        if (found != expected || map.Grid.Data != expectedData)
        {
            throw new UserInputException(source, $"the map is for {found} on {Describe(map.Grid.Data)} (grid.model '{map.Grid.Model}', grid.data {map.Grid.Data}), "
                + $"but the run uses {expected} on {Describe(expectedData)}; build a map for it with "
                + $"`autobatch beacons --model {expectedModel.Trim()} --data {expectedData}` or give a map of the same model and data set.");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="map"/>'s measures are under <paramref name="rule"/>: C̄_K under one rank rule says
    /// nothing about a position in a plane measured under the other.
    /// </summary>
    /// <param name="map">The map.</param>
    /// <param name="rule">The run's rank rule.</param>
    /// <param name="option">The setting that chose <paramref name="rule"/>, named in the message.</param>
    /// <param name="mapPath">The map's file, named in the message (default: "the beacon map").</param>
    /// <exception cref="UserInputException">The map is under the other rule.</exception>
    public static void EnsureRankRule(BeaconMap map, RankRule rule, string option, string? mapPath = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Grid.RankRule != rule)
        {
            throw new UserInputException(option, $"{rule} contradicts {mapPath ?? "the beacon map"}, whose measures are under the {map.Grid.RankRule} rank rule; "
                + $"leave it out to follow the map, or give a map built under {rule} (`autobatch merge --rank-rule {rule}` builds one from a grid run with both rules).");
        }
    }

    /// <summary>
    /// As <see cref="EnsureCompatible(BeaconMap, string, DataSetKind, string?)"/> with the data set given by name:
    /// an enum name such as <c>FashionMnist</c> or a written name such as <c>Fashion-MNIST</c>, ignoring case.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="expectedData"/> is not a data set name.</exception>
    public static void EnsureCompatible(BeaconMap map, string expectedModel, string expectedData, string? mapPath = null) =>
        EnsureCompatible(map, expectedModel, ParseDataSet(expectedData), mapPath);

    /// <summary>
    /// The data set called <paramref name="name"/>: an enum name (<c>Cifar10</c>) or a written name (<c>CIFAR-10</c>),
    /// ignoring case.
    /// </summary>
    /// <exception cref="ArgumentException">No data set has that name; the message lists the names.</exception>
    public static DataSetKind ParseDataSet(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim();
        foreach (DataSetKind kind in Enum.GetValues<DataSetKind>())
        {
            if (string.Equals(n, kind.ToString(), StringComparison.OrdinalIgnoreCase)
                || string.Equals(n, kind.DisplayName(), StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new ArgumentException(
            $"Unknown data set '{name}': expected one of {string.Join(", ", Enum.GetNames<DataSetKind>())}.", nameof(name));
    }

    // A user's own model (custom:NAME@FINGERPRINT) is named by its architecture's fingerprint, which Parse cannot
    // rebuild: such names compare as written, so a map of another architecture (another fingerprint) is refused.
    private static string Canonical(string model) =>
        IsCustom(model) ? model.Trim() : ModelSpec.Parse(model, NamingShape, 10).Name;

    private static bool IsCustom(string model) => model.TrimStart().StartsWith(CustomPrefix, StringComparison.Ordinal);

    private static string? TryCanonical(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        try
        {
            return Canonical(model);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string Describe(DataSetKind kind) => Enum.IsDefined(kind) ? kind.DisplayName() : kind.ToString();
}
