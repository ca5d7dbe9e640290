namespace AutoBatch.Controller.Policies;

/// <summary>The kinds of schedule a run can follow.</summary>
public enum ScheduleKind
{
    /// <summary>One batch size (<c>s128</c>).</summary>
    Fixed = 0,

    /// <summary>The map's best fixed beacon (<c>best</c>): its batch size and learning rate.</summary>
    Best = 1,

    /// <summary>Five-stage dynamic sampling (<c>s32-to-512</c>, <c>s32-to-512-MS</c>).</summary>
    Staged = 2,

    /// <summary>The closed-loop Fisher-map controller (<c>closed-loop</c>).</summary>
    ClosedLoop = 3,

    /// <summary>The gradient-noise-scale baseline (<c>noise-scale</c>).</summary>
    NoiseScale = 4,
}
