using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AutoBatch.Controller.Hosting;

/// <summary>
/// A <see cref="RangeAttribute"/> whose message names the property's flag (from its <see cref="FlagAttribute"/>):
/// "--epochs: must be in [1, 100000].", which the host completes with the configuration key and the value given.
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
        string message = string.Format(CultureInfo.CurrentCulture, "{0}: must be in [{1}, {2}].", flag, Minimum, Maximum);
        return new ValidationResult(message, member is null ? null : [member]);
    }
}
