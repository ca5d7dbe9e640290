namespace AutoBatch.Beacons.Tests;

/// <summary>Guards the dependency direction: Controller -> Beacons -> Engine, never back.</summary>
public sealed class ProjectReferenceTests
{
    [Test]
    public void BeaconsReferencesTheEngineButNotTheController()
    {
        var references = typeof(AutoBatch.Beacons.Grid.GridSpec).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(references, Does.Not.Contain("autobatch"));
            Assert.That(typeof(AutoBatch.Engine.Training.Network).Assembly.GetReferencedAssemblies().Select(a => a.Name), Does.Not.Contain("AutoBatch.Beacons"));
        });
    }
}
