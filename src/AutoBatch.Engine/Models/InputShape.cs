namespace AutoBatch.Engine.Models;

/// <summary>Shape of one input image, channels first.</summary>
public readonly record struct InputShape(int Channels, int Height, int Width)
{
    /// <summary>Number of values in one image.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc/>
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
