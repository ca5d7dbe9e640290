using AutoBatch.Controller.Verbs.Measure;

namespace AutoBatch.Controller.Tests.Verbs.Measure;

[TestFixture]
public sealed class BatchIndicesTests
{
    [Test]
    public void Draw_GivesDistinctIndicesInRange_DeterminedByTheSeed()
    {
        int[] a = BatchIndices.Draw(seed: 5, batchSize: 50, count: 60);
        int[] again = BatchIndices.Draw(seed: 5, batchSize: 50, count: 60);
        int[] other = BatchIndices.Draw(seed: 6, batchSize: 50, count: 60);

        Assert.That(a, Has.Length.EqualTo(50).And.Unique.And.All.InRange(0, 59));
        Assert.That(again, Is.EqualTo(a));
        Assert.That(other, Is.Not.EqualTo(a));
    }

    [Test]
    public void Draw_WholeDataSet_IsAPermutation()
    {
        int[] all = BatchIndices.Draw(seed: 1, batchSize: 17, count: 17);

        Assert.That(all, Is.EquivalentTo(Enumerable.Range(0, 17)));
    }

    [Test]
    public void Draw_IsRoughlyUniform()
    {
        // 2000 draws of 3 from 10: each index is expected 600 times (sd ~ 22).
        var counts = new int[10];
        for (int s = 0; s < 2000; s++)
        {
            foreach (int i in BatchIndices.Draw(s, 3, 10))
            {
                counts[i]++;
            }
        }

        Assert.That(counts, Is.All.InRange(500, 700));
    }

    [Test]
    public void Draw_MoreThanTheDataSet_Throws()
    {
        Assert.That(() => BatchIndices.Draw(1, 11, 10), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("1,5,9", new[] { 1, 5, 9 })]
    [TestCase(" 9 , 0,3 ", new[] { 9, 0, 3 })]
    [TestCase("42", new[] { 42 })]
    public void TryParse_AcceptsCommaSeparatedDistinctIndices(string text, int[] expected)
    {
        bool ok = BatchIndices.TryParse(text, out int[] indices, out string error);

        Assert.That(ok, Is.True, error);
        Assert.That(indices, Is.EqualTo(expected));
    }

    [TestCase("", "found nothing")]
    [TestCase("1,,2", "'' (item 2 of '1,,2') is not a non-negative integer")]
    [TestCase("1,-2", "'-2' (item 2 of '1,-2') is not a non-negative integer")]
    [TestCase("1;2", "is not a non-negative integer")]
    [TestCase("3000000000", "is not a non-negative integer")]
    [TestCase("4,1,4", "index 4 appears more than once")]
    public void TryParse_RejectsMalformedLists(string text, string expected)
    {
        bool ok = BatchIndices.TryParse(text, out _, out string error);

        Assert.That(ok, Is.False);
        Assert.That(error, Does.Contain(expected));
    }
}
