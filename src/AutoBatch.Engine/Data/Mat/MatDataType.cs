namespace AutoBatch.Engine.Data.Mat;

/// <summary>Data element types of a MATLAB Level-5 MAT file ("MAT-File Format", MathWorks, Table 1-1).</summary>
internal enum MatDataType
{
    Int8 = 1,
    UInt8 = 2,
    Int16 = 3,
    UInt16 = 4,
    Int32 = 5,
    UInt32 = 6,
    Single = 7,
    Double = 9,
    Int64 = 12,
    UInt64 = 13,
    Matrix = 14,
    Compressed = 15,
    Utf8 = 16,
    Utf16 = 17,
    Utf32 = 18,
}
