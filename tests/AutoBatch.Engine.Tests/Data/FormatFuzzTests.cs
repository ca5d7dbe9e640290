using System.Buffers.Binary;
using System.Diagnostics;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Randomness;

namespace AutoBatch.Engine.Tests.Data;

/// <summary>
/// Bounded-time mutation fuzzing: a corrupted data file must be reported as a format error (or read, if the mutation
/// happened to keep it valid), never as an index, overflow, argument or out-of-memory exception.
/// </summary>
[TestFixture]
public sealed class FormatFuzzTests
{
    private static readonly TimeSpan BudgetPerFormat = TimeSpan.FromMilliseconds(400);
    private static readonly uint[] InterestingWords = [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 3072, 14, 15];

    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void IdxImages_Raw() =>
        Fuzz(TestFiles.IdxImages(3, 4, 5, TestFiles.RandomBytes(60, 71)), headerBytes: 16, path => IdxReader.ReadImages(path), 72);

    [Test]
    public void IdxImages_Gzip() =>
        Fuzz(TestFiles.Gzip(TestFiles.IdxImages(3, 4, 5, TestFiles.RandomBytes(60, 73))), headerBytes: 32, path => IdxReader.ReadImages(path), 74);

    [Test]
    public void IdxLabels_Raw() =>
        Fuzz(TestFiles.IdxLabels([1, 2, 3, 4, 5, 6, 7, 8, 9]), headerBytes: 8, path => IdxReader.ReadLabels(path), 75);

    [Test]
    public void Mat_Uncompressed() =>
        Fuzz(SmallMat(compress: false), headerBytes: 256, path => SvhnReader.Read(path), 76);

    [Test]
    public void Mat_Compressed() =>
        Fuzz(SmallMat(compress: true), headerBytes: 256, path => SvhnReader.Read(path), 77);

    [Test]
    public void Cifar100() =>
        Fuzz(TestFiles.CifarRecords([5, 99], [1, 19], TestFiles.RandomBytes(2 * 3072, 78)), headerBytes: 2, path => CifarReader.ReadCifar100(path), 79);

    private static byte[] SmallMat(bool compress) =>
        new MatFileWriter()
            .AddDoubles("y", [10, 4])
            .Add("note", MatFileWriter.ClassChar, [1, 2], MatFileWriter.TypeUInt16, [(byte)'o', 0, (byte)'k', 0])
            .AddSvhnImages(TestFiles.RandomBytes(2 * 3072, 80), 2)
            .ToArray(compress);

    private void Fuzz(byte[] valid, int headerBytes, Action<string> read, ulong seed)
    {
        var rng = new Pcg32(seed);
        var failures = new List<string>();
        string path = Path.Combine(_dir.Path, "fuzzed");
        var clock = Stopwatch.StartNew();
        int iterations = 0;
        while (clock.Elapsed < BudgetPerFormat && failures.Count < 5)
        {
            byte[] mutant = Mutate(valid, headerBytes, rng);
            File.WriteAllBytes(path, mutant);
            iterations++;
            try
            {
                read(path);
            }
            catch (Exception ex) when (ex is DataFormatException or InvalidDataException)
            {
                if (!ex.Message.Contains(path, StringComparison.Ordinal))
                {
                    failures.Add($"iteration {iterations}: message does not name the file: {ex.Message}");
                }
            }
            catch (Exception ex)
            {
                failures.Add($"iteration {iterations} ({mutant.Length} bytes): {ex}");
            }
        }

        TestContext.Out.WriteLine($"{iterations} mutants in {clock.ElapsedMilliseconds} ms");
        Assert.That(failures, Is.Empty);
        Assert.That(iterations, Is.GreaterThan(50));
    }

    private static byte[] Mutate(byte[] valid, int headerBytes, Pcg32 rng)
    {
        byte[] bytes = [.. valid];
        int edits = 1 + rng.NextInt(3);
        for (int e = 0; e < edits; e++)
        {
            // Half of the edits land in the header, where sizes and tags live.
            int span = rng.NextInt(2) == 0 ? Math.Min(headerBytes, bytes.Length) : bytes.Length;
            if (span == 0)
            {
                break;
            }

            int at = rng.NextInt(span);
            switch (rng.NextInt(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << rng.NextInt(8));
                    break;
                case 1:
                    bytes[at] = (byte)rng.NextInt(256);
                    break;
                case 2 when at + 4 <= bytes.Length:
                    uint word = InterestingWords[rng.NextInt(InterestingWords.Length)];
                    if (rng.NextInt(2) == 0)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), word);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), word);
                    }

                    break;
                case 3:
                    bytes = bytes[..rng.NextInt(bytes.Length + 1)];
                    break;
                default:
                    bytes = [.. bytes, .. TestFiles.RandomBytes(1 + rng.NextInt(16), rng.NextUInt32())];
                    break;
            }
        }

        return bytes;
    }
}
