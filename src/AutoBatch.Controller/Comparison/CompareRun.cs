using System.Globalization;
using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Comparison;

/// <summary>One run of a comparison: a schedule and a seed.</summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="Seed">The seed.</param>
public sealed record CompareRun(ScheduleSpec Schedule, long Seed)
{
    /// <summary>File-name-safe id, <c>&lt;scheduleId&gt;-s&lt;seed&gt;</c> (e.g. <c>s32-to-512-0-s1</c>).</summary>
    public string Id => string.Create(CultureInfo.InvariantCulture, $"{Schedule.Id}-s{Seed}");

    /// <summary>The run's output folder in comparison folder <paramref name="compareFolder"/>.</summary>
    public string FolderIn(string compareFolder) => Path.Combine(compareFolder, "runs", Id);
}
