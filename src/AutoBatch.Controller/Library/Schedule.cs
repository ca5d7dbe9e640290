using AutoBatch.Controller.Policies;

namespace AutoBatch.Controller.Library;

/// <summary>
/// How the batch size is chosen while training: the closed loop (the default), the gradient-noise-scale baseline,
/// or one of the paper's fixed schedules. The names are those of the command line's <c>--schedule</c>.
/// </summary>
public sealed record Schedule
{
    private Schedule(string name)
    {
        Name = name;
    }

    /// <summary>The schedule's name (e.g. <c>closed-loop</c>, <c>s128</c>, <c>s32-to-128-MS</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// The closed loop: at epoch ends the batch size (and with a rule, α) is chosen so that the run's (C̄_K, L_K) heads
    /// for the beacon map's optimum region. Needs a map; starts at the map's best beacon unless told otherwise.
    /// </summary>
    public static Schedule ClosedLoop { get; } = new("closed-loop");

    /// <summary>At every epoch end B ← the epoch's mean gradient noise scale B_simple, as a power of two within bounds.</summary>
    public static Schedule NoiseScale { get; } = new("noise-scale");

    /// <summary>The map's best fixed beacon: its batch size and learning rate throughout.</summary>
    public static Schedule Best { get; } = new("best");

    /// <summary>One batch size throughout, α step-decayed.</summary>
    /// <param name="batchSize">The batch size (>= 1).</param>
    public static Schedule Fixed(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Parse("s" + batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A schedule by name: <c>closed-loop</c>, <c>noise-scale</c>, <c>best</c>, <c>sB</c> (fixed), the paper's
    /// five-stage dynamic sampling <c>sA-to-B</c> and its <c>-MS</c> variant, with an optional <c>+linear</c> or
    /// <c>+sqrt</c> learning-rate rule.
    /// </summary>
    /// <exception cref="FormatException">Not a schedule name; the message lists the forms.</exception>
    public static Schedule Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = ScheduleSpec.Parse(name);  // refuses what is not a schedule
        return new Schedule(name.Trim());
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
