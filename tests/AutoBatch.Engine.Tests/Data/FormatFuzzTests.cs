using System.Buffers.Binary;
using System.Diagnostics;
using AutoBatch.Engine.Data;
using AutoBatch.Engine.Randomness;
using AutoBatch.Engine.Tests.Weights;
using AutoBatch.Engine.Weights;

namespace AutoBatch.Engine.Tests.Data;

/// <summary>
/// Bounded-time mutation fuzzing: a corrupted data or weights file must be reported as a format error naming the file
/// (or read, if the mutation happened to keep it valid), never as an index, overflow, argument or out-of-memory
/// exception. Seeded, so a failure reproduces; each format gets a fixed time budget rather than a fixed count.
/// </summary>
[TestFixture]
public sealed class FormatFuzzTests
{
    // At least MinMutants mutants (seeded, so the same ones every run), then more until the budget is spent; the
    // hard cap bounds the time on a machine slow enough that the minimum takes longer than the budget.
    private const int MinMutants = 100;
    private static readonly TimeSpan BudgetPerFormat = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan HardCap = TimeSpan.FromSeconds(4);
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

    [Test]
    public void Cifar10() =>
        Fuzz(TestFiles.CifarRecords([3, 9, 0], null, TestFiles.RandomBytes(3 * 3072, 81)), headerBytes: 1, path => CifarReader.ReadCifar10([path]), 82);

    [Test]
    public void SafeTensors() =>
        Fuzz(SmallSafeTensors(), headerBytes: 160, path => SafeTensorsFile.Read(path), 83);

    [Test]
    public void SafeTensorsMetadata() =>
        Fuzz(SmallSafeTensors(), headerBytes: 160, path => SafeTensorsFile.ReadMetadata(path), 84);

    /// <summary>Two tensors and metadata, as the engine writes them (F32 and I64, contiguous, header first).</summary>
    private static byte[] SmallSafeTensors() =>
        SafeTensorsBytes.Build(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
            + "\"__metadata__\":{\"format\":\"pt\",\"autobatch.model\":\"mlp:2\"}}",
            TestFiles.RandomBytes(24, 85));

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
        while ((clock.Elapsed < BudgetPerFormat || iterations < MinMutants) && clock.Elapsed < HardCap && failures.Count < 5)
        {
            byte[] mutant = Mutate(valid, headerBytes, rng);
            File.WriteAllBytes(path, mutant);
            iterations++;
            try
            {
                read(path);
            }
            catch (UserInputException ex)
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
        Assert.That(iterations, Is.GreaterThanOrEqualTo(MinMutants));
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
