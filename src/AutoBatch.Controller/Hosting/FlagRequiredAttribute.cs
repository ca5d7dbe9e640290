using System.ComponentModel.DataAnnotations;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// A <see cref="RequiredAttribute"/> whose message names the property's flag (from its <see cref="FlagAttribute"/>)
/// followed by <paramref name="rule"/>: "--grids: give the shard folders to merge.". Null, empty and blank values are
/// refused.
/// </summary>
/// <param name="rule">What to give, e.g. "give the shard folders to merge.".</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class FlagRequiredAttribute(string rule) : RequiredAttribute
{
    /// <summary>What to give, after the flag.</summary>
    public string Rule { get; } = rule;

    /// <inheritdoc/>
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        if (IsValid(value))
        {
            return ValidationResult.Success;
        }

        string? member = validationContext.MemberName;
        string flag = member is null ? validationContext.DisplayName : OptionRecord.FlagOf(validationContext.ObjectType, member);
        return new ValidationResult($"{flag}: {Rule}", member is null ? null : [member]);
    }
}
