using System.Buffers.Binary;
using System.Text;

namespace AutoBatch.TestUtilities;

/// <summary>
/// Writes genuine little-endian MATLAB Level-5 MAT files ("MAT-File Format", MathWorks): a 128-byte header, then one
/// miMATRIX element per variable (array flags, dimensions, name, real part), each optionally wrapped in an
/// miCOMPRESSED zlib element as MATLAB v7 does. Small sub-elements use the packed 4-byte form as MATLAB does.
/// </summary>
public sealed class MatFileWriter
{
    public const int ClassChar = 4;
    public const int ClassDouble = 6;
    public const int ClassUInt8 = 9;

    public const int TypeInt8 = 1;
    public const int TypeUInt8 = 2;
    public const int TypeUInt16 = 4;
    public const int TypeInt32 = 5;
    public const int TypeUInt32 = 6;
    public const int TypeDouble = 9;
    public const int TypeMatrix = 14;
    public const int TypeCompressed = 15;

    private readonly List<byte[]> _elements = [];

    /// <summary>Appends an array variable whose real part is <paramref name="data"/> stored as <paramref name="dataType"/>.</summary>
    public MatFileWriter Add(string name, int arrayClass, int[] dims, int dataType, byte[] data, bool complex = false)
    {
        byte[] flags = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)arrayClass | (complex ? 0x800u : 0u));
        byte[] dimBytes = new byte[4 * dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dimBytes.AsSpan(4 * i), dims[i]);
        }

        using var body = new MemoryStream();
        body.Write(SubElement(TypeUInt32, flags));
        body.Write(SubElement(TypeInt32, dimBytes));
        body.Write(SubElement(TypeInt8, Encoding.ASCII.GetBytes(name)));
        body.Write(SubElement(dataType, data));
        if (complex)
        {
            body.Write(SubElement(dataType, data));
        }

        _elements.Add([.. Tag(TypeMatrix, (int)body.Length), .. body.ToArray()]);
        return this;
    }

    /// <summary>A uint8 array <c>X</c> of 32x32x3xN from CHW images, reordered column-major by the MATLAB index formula.</summary>
    public MatFileWriter AddSvhnImages(byte[] chw, int count, string name = "X")
    {
        byte[] columnMajor = new byte[chw.Length];
        for (int n = 0; n < count; n++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                for (int row = 0; row < 32; row++)
                {
                    for (int col = 0; col < 32; col++)
                    {
                        columnMajor[row + (32 * (col + (32 * (ch + (3 * n)))))] = chw[(n * 3072) + (ch * 1024) + (row * 32) + col];
                    }
                }
            }
        }

        return Add(name, ClassUInt8, [32, 32, 3, count], TypeUInt8, columnMajor);
    }

    /// <summary>A double Nx1 array stored as miDOUBLE.</summary>
    public MatFileWriter AddDoubles(string name, double[] values, int[]? dims = null)
    {
        byte[] data = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        }

        return Add(name, ClassDouble, dims ?? [values.Length, 1], TypeDouble, data);
    }

    /// <summary>The whole file; with <paramref name="compress"/> every variable goes into its own miCOMPRESSED element.</summary>
    public byte[] ToArray(bool compress)
    {
        using var file = new MemoryStream();
        file.Write(Header());
        foreach (byte[] element in _elements)
        {
            if (compress)
            {
                byte[] z = TestFiles.Zlib(element);
                file.Write(Tag(TypeCompressed, z.Length));
                file.Write(z);
            }
            else
            {
                file.Write(element);
            }
        }

        return file.ToArray();
    }

    /// <summary>The 128-byte header: descriptive text padded with spaces, subsystem offset, version 0x0100, "IM".</summary>
    public static byte[] Header(ushort version = 0x0100, string endian = "IM")
    {
        byte[] header = new byte[128];
        byte[] text = Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2026");
        header.AsSpan(0, 116).Fill((byte)' ');
        text.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(124), version);
        header[126] = (byte)endian[0];
        header[127] = (byte)endian[1];
        return header;
    }

    private static byte[] SubElement(int type, byte[] data)
    {
        if (data.Length is > 0 and <= 4)
        {
            byte[] packed = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(packed, ((uint)data.Length << 16) | (uint)type);
            data.CopyTo(packed, 4);
            return packed;
        }

        int padded = (data.Length + 7) / 8 * 8;
        byte[] element = new byte[8 + padded];
        Tag(type, data.Length).CopyTo(element, 0);
        data.CopyTo(element, 8);
        return element;
    }

    private static byte[] Tag(int type, int length)
    {
        byte[] tag = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), length);
        return tag;
    }
}
