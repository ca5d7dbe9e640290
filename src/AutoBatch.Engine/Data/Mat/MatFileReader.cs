using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AutoBatch.Engine.Data.Mat;

/// <summary>
/// Sequential reader of the arrays in a little-endian MATLAB Level-5 MAT file ("MAT-File Format", MathWorks, ch. 1):
/// a 128-byte header, then tagged data elements, each either an miMATRIX or an miCOMPRESSED (zlib) element that
/// inflates to one. Only array headers and numeric real parts are decoded; everything else is skipped.
/// Every size is checked against the bytes actually available before anything is allocated.
/// </summary>
internal sealed class MatFileReader : IDisposable
{
    private const int HeaderBytes = 128;
    private const int MaxDimensions = 32;
    private const int MaxNameBytes = 4096;

    private readonly FileStream _file;
    private long _next = HeaderBytes;
    private long _elementOffset;
    private Stream? _body;
    private long _bodyRemaining;
    private Tag _data;
    private long _dataRemaining;

    public MatFileReader(string path)
    {
        Path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            ValidateHeader();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The file being read, for error messages.</summary>
    public string Path { get; }

    /// <summary>Byte size of one element of a numeric MAT data type, or 0 for a non-numeric type.</summary>
    public static int ElementSize(MatDataType type) => type switch
    {
        MatDataType.Int8 or MatDataType.UInt8 => 1,
        MatDataType.Int16 or MatDataType.UInt16 => 2,
        MatDataType.Int32 or MatDataType.UInt32 or MatDataType.Single => 4,
        MatDataType.Double or MatDataType.Int64 or MatDataType.UInt64 => 8,
        _ => 0,
    };

    /// <summary>Element <paramref name="index"/> of little-endian numeric data of type <paramref name="type"/>, as a double.</summary>
    public static double Decode(ReadOnlySpan<byte> data, MatDataType type, int index)
    {
        int size = ElementSize(type);
        ReadOnlySpan<byte> at = data.Slice(index * size, size);
        return type switch
        {
            MatDataType.Int8 => (sbyte)at[0],
            MatDataType.UInt8 => at[0],
            MatDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(at),
            MatDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
            MatDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(at),
            MatDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
            MatDataType.Single => BinaryPrimitives.ReadSingleLittleEndian(at),
            MatDataType.Double => BinaryPrimitives.ReadDoubleLittleEndian(at),
            MatDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(at),
            MatDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(at),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a numeric MAT data type."),
        };
    }

    /// <summary>
    /// Moves to the next array in the file and returns its header, or null at the end of the file. The real part of a
    /// numeric array can then be read with <see cref="ReadData"/>; unread data is skipped by the next call.
    /// </summary>
    public MatArrayHeader? NextArray()
    {
        Span<byte> tag = stackalloc byte[8];
        while (true)
        {
            CloseBody();
            long length = _file.Length;
            if (_next >= length)
            {
                return null;
            }

            _elementOffset = _next;
            if (length - _next < 8)
            {
                throw Format($"file is truncated: expected an 8-byte element tag at offset {_next}, found {length - _next} bytes.");
            }

            _file.Position = _next;
            DataFile.ReadExactly(_file, tag, Path, "element tag");
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(tag);
            uint bytes = BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]);
            long start = _next + 8;
            if ((type >> 16) != 0)
            {
                // A small data element packed into its tag cannot be a variable.
                _next = start;
                continue;
            }

            if (bytes > length - start)
            {
                throw Format($"file is truncated: the element at offset {_next} declares {bytes} bytes, but only {length - start} follow.");
            }

            // Uncompressed elements are padded to 8 bytes; MATLAB writes compressed ones back to back.
            _next = type == (uint)MatDataType.Compressed ? start + bytes : start + ((bytes + 7L) & ~7L);
            if (type == (uint)MatDataType.Matrix)
            {
                _body = new BoundedStream(_file, bytes);
                _bodyRemaining = bytes;
            }
            else if (type == (uint)MatDataType.Compressed)
            {
                _body = new ZLibStream(new BoundedStream(_file, bytes), CompressionMode.Decompress);
                _bodyRemaining = 8;
                Tag inner = ReadTag("compressed element tag");
                if (inner.Type != MatDataType.Matrix)
                {
                    throw Format($"expected the compressed element at offset {_elementOffset} to hold an miMATRIX (type 14), found type {(int)inner.Type}.");
                }

                if (inner.Bytes > DataFile.MaxInflatedLength(bytes))
                {
                    throw Format($"the compressed element at offset {_elementOffset} claims to inflate to {inner.Bytes} bytes, impossible for {bytes} compressed bytes.");
                }

                _bodyRemaining = inner.Bytes;
            }
            else
            {
                continue;
            }

            if (_bodyRemaining > 0)
            {
                return ReadArrayHeader();
            }
        }
    }

    /// <summary>Reads the next <c>destination.Length</c> bytes of the current array's real part.</summary>
    public void ReadData(Span<byte> destination, string what)
    {
        if (destination.Length > _dataRemaining)
        {
            throw new InvalidOperationException($"Asked for {destination.Length} bytes of {what}, only {_dataRemaining} remain.");
        }

        if (_data.IsCompact)
        {
            Span<byte> inline = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(inline, _data.Inline);
            inline.Slice((int)(_data.Bytes - _dataRemaining), destination.Length).CopyTo(destination);
        }
        else
        {
            ReadBody(destination, what);
        }

        _dataRemaining -= destination.Length;
    }

    public void Dispose()
    {
        CloseBody();
        _file.Dispose();
    }

    private MatArrayHeader ReadArrayHeader()
    {
        Tag flagsTag = ReadTag("array flags tag");
        if (flagsTag.Type != MatDataType.UInt32 || flagsTag.Bytes != 8)
        {
            throw Format($"expected array flags (miUINT32, 8 bytes) to open the miMATRIX element at offset {_elementOffset}, found type {(int)flagsTag.Type}, {flagsTag.Bytes} bytes.");
        }

        Span<byte> flags = stackalloc byte[8];
        ReadBody(flags, "array flags");
        uint flagWord = BinaryPrimitives.ReadUInt32LittleEndian(flags);
        var arrayClass = (MatClass)(flagWord & 0xFF);
        bool isComplex = (flagWord & 0x800) != 0;

        Tag dimsTag = ReadTag("dimensions tag");
        if (dimsTag.Type != MatDataType.Int32 || dimsTag.Bytes < 8 || dimsTag.Bytes % 4 != 0 || dimsTag.Bytes > 4 * MaxDimensions)
        {
            throw Format($"expected a dimensions array (miINT32, 2..{MaxDimensions} values) in the miMATRIX element at offset {_elementOffset}, found type {(int)dimsTag.Type}, {dimsTag.Bytes} bytes.");
        }

        byte[] dimBytes = ReadSmall(dimsTag, "dimensions");
        int[] dims = new int[dimBytes.Length / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] < 0)
            {
                throw Format($"expected non-negative dimensions in the miMATRIX element at offset {_elementOffset}, found {dims[i]}.");
            }
        }

        Tag nameTag = ReadTag("array name tag");
        if (nameTag.Type is not (MatDataType.Int8 or MatDataType.UInt8 or MatDataType.Utf8) || nameTag.Bytes > MaxNameBytes)
        {
            throw Format($"expected an array name (miINT8, at most {MaxNameBytes} bytes) in the miMATRIX element at offset {_elementOffset}, found type {(int)nameTag.Type}, {nameTag.Bytes} bytes.");
        }

        string name = Encoding.UTF8.GetString(ReadSmall(nameTag, "array name"));
        var header = new MatArrayHeader(name, arrayClass, isComplex, dims, 0, 0);
        if (!header.IsNumeric)
        {
            _dataRemaining = 0;
            return header;
        }

        _data = ReadTag($"real part tag of '{name}'");
        if (ElementSize(_data.Type) == 0)
        {
            throw Format($"expected numeric data for the real part of '{name}', found data type {(int)_data.Type}.");
        }

        if (!_data.IsCompact && _data.Bytes > _bodyRemaining)
        {
            throw Format($"file is truncated: the real part of '{name}' declares {_data.Bytes} bytes, but its element has only {_bodyRemaining} left.");
        }

        _dataRemaining = _data.Bytes;
        return header with { DataType = _data.Type, DataBytes = _data.Bytes };
    }

    private byte[] ReadSmall(Tag tag, string what)
    {
        byte[] value = new byte[tag.Bytes];
        if (tag.IsCompact)
        {
            Span<byte> inline = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(inline, tag.Inline);
            inline[..value.Length].CopyTo(value);
            return value;
        }

        ReadBody(value, what);
        int padding = (int)((8 - (tag.Bytes % 8)) % 8);
        if (padding > 0)
        {
            Span<byte> skip = stackalloc byte[8];
            ReadBody(skip[..padding], $"padding after {what}");
        }

        return value;
    }

    private Tag ReadTag(string what)
    {
        Span<byte> tag = stackalloc byte[8];
        ReadBody(tag, what);
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        uint second = BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]);
        if ((first >> 16) == 0)
        {
            return new Tag((MatDataType)first, second, false, 0);
        }

        // Small data element format: type in the low half-word, size (at most 4) in the high one, data inline.
        uint size = first >> 16;
        if (size > 4)
        {
            throw Format($"expected at most 4 bytes in a small data element ({what}) of the element at offset {_elementOffset}, found {size}.");
        }

        return new Tag((MatDataType)(first & 0xFFFF), size, true, second);
    }

    private void ReadBody(Span<byte> destination, string what)
    {
        if (destination.Length > _bodyRemaining)
        {
            throw Format($"file is truncated: the element at offset {_elementOffset} ends {destination.Length - _bodyRemaining} bytes into its {what}.");
        }

        DataFile.ReadExactly(_body!, destination, Path, what);
        _bodyRemaining -= destination.Length;
    }

    private void ValidateHeader()
    {
        long length = _file.Length;
        if (length < HeaderBytes)
        {
            throw Format($"expected a 128-byte MATLAB Level-5 MAT-file header, found a {length}-byte file.");
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        DataFile.ReadExactly(_file, header, Path, "MAT-file header");
        byte e0 = header[126];
        byte e1 = header[127];
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[124..]);
        if (e0 == (byte)'M' && e1 == (byte)'I')
        {
            throw Format("big-endian MAT files (endian indicator 'MI') are not supported; re-save the file on a little-endian machine.");
        }

        if (e0 != (byte)'I' || e1 != (byte)'M')
        {
            throw Format($"expected a MATLAB Level-5 MAT file (endian indicator 'IM' at offset 126), found bytes 0x{e0:X2} 0x{e1:X2}.");
        }

        if (version == 0x0200)
        {
            throw Format("MATLAB v7.3 (HDF5) MAT files are not supported; re-save with save(..., '-v7').");
        }

        if (version != 0x0100)
        {
            throw Format($"expected MAT-file version 0x0100 at offset 124, found 0x{version:X4}.");
        }
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _body = null;
        _bodyRemaining = 0;
        _dataRemaining = 0;
        _data = default;
    }

    private DataFormatException Format(string problem) => new(Path, problem);

    private readonly record struct Tag(MatDataType Type, long Bytes, bool IsCompact, uint Inline);
}
