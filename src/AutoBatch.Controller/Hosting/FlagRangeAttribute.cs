using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// A <see cref="RangeAttribute"/> whose message names the property's flag (from its <see cref="FlagAttribute"/>):
/// "--epochs: must be in [1, 100000].", which the host completes with the configuration key and the value given.
/// <see cref="Rule"/> words the rule differently where a verb's message always has.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class FlagRangeAttribute : RangeAttribute
{
    /// <summary>A range of whole numbers.</summary>
    public FlagRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    /// <summary>A range of real numbers (NaN is outside every range).</summary>
    public FlagRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    /// <summary>The words before the interval (default "must be in"): "--lr: {Rule} [1E-12, 1000000].".</summary>
    public string Rule { get; set; } = "must be in";

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
        // The current culture, as RangeAttribute's own message formats its bounds.
        string message = string.Format(CultureInfo.CurrentCulture, "{0}: {1} [{2}, {3}].", flag, Rule, Minimum, Maximum);
        return new ValidationResult(message, member is null ? null : [member]);
    }
}
