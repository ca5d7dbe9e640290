namespace AutoBatch.Controller.Policies;

/// <summary>
/// A batch-size policy: a pure function from the training state to a decision with its reason (STYLE: policies are
/// pure, the applier is separate). It never touches tensors and keeps no state between calls; everything it needs is
/// in the <see cref="PolicyContext"/>.
/// </summary>
public interface IBatchPolicy
{
    /// <summary>Short name used in logs and reports (e.g. <c>s32-to-512-MS</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Everything besides the context that decides its choices (its name, and the guards, tolerance and so on it was
    /// created with): a resumed run must continue under equal settings (RunIdentity).
    /// </summary>
    string Settings => Name;

    /// <summary>
    /// True when <see cref="Decide"/> reads <see cref="PolicyContext.LastChange"/>: a checkpoint written before the
    /// applier kept it cannot resume such a policy after a change without losing its hysteresis.
    /// </summary>
    bool UsesLastChange => false;

    /// <summary>The batch size to use from the next step, with the reason.</summary>
    BatchDecision Decide(PolicyContext context);
}
