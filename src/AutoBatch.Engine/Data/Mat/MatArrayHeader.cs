namespace AutoBatch.Engine.Data.Mat;

/// <summary>
/// The leading sub-elements of one miMATRIX element: class, flags, dimensions and name, plus the type and size of
/// the real part that follows them (numeric classes only).
/// </summary>
internal sealed record MatArrayHeader(
    string Name,
    MatClass Class,
    bool IsComplex,
    int[] Dimensions,
    MatDataType DataType,
    long DataBytes)
{
    /// <summary>Whether the class is one of the numeric classes (double … uint64), whose real part follows the name.</summary>
    public bool IsNumeric => Class is >= MatClass.Double and <= MatClass.UInt64;

    /// <summary>Human-readable shape and class, e.g. <c>uint8 32x32x3x100</c>, for error messages.</summary>
    public string Describe() => $"{Class.ToString().ToLowerInvariant()}{(IsComplex ? " complex" : string.Empty)} {string.Join('x', Dimensions)}";

    /// <summary>Product of the dimensions, or -1 when it exceeds <see cref="Array.MaxLength"/>.</summary>
    public long ElementCount()
    {
        long product = 1;
        foreach (int d in Dimensions)
        {
            product *= d;
            if (product > Array.MaxLength)
            {
                return -1;
            }
        }

        return product;
    }
}
