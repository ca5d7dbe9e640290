namespace AutoBatch.Beacons;

/// <summary>Marks the beacons assembly (grid runs and beacon maps arrive with the beacon-map issue).</summary>
public static class AssemblyMarker
{
}
