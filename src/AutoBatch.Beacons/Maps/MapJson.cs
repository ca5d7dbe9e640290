using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoBatch.Beacons.Maps;

/// <summary>The JSON conventions of map files: indented camelCase, enums by name, computed properties left out.</summary>
internal static class MapJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,

            // Computed properties (BeaconRun.FinalTestError, SurfaceGrid.CellSize, ...) are derived on load.
            IgnoreReadOnlyProperties = true,

            // A null or absent value where the model has no default is a broken file, not a default.
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        return options;
    }
}
