using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Libromi.Gateway.Queueing;

/// <summary>
/// Reads <see cref="OperationPumpOptions.MessageHold"/> under its old name too. The setting was called
/// <c>Queues:MessageLease</c> until "lease" came to mean only a grant of permits from the rate ledger; deployments
/// that still set the old key keep their value, and start-up says once that the key should be renamed
/// (<see cref="MessageHoldSettingWarning"/>). Setting both keys to different values fails start-up rather than
/// guessing which one the operator meant.
/// </summary>
/// <param name="queues">The <c>Queues</c> configuration section.</param>
internal sealed class MessageHoldSetting(IConfiguration queues) : IConfigureOptions<OperationPumpOptions>, IValidateOptions<OperationPumpOptions>
{
    public const string Key = OperationPumpOptions.SectionName + ":" + nameof(OperationPumpOptions.MessageHold);
    public const string DeprecatedKey = OperationPumpOptions.SectionName + ":" + DeprecatedName;
    private const string DeprecatedName = "MessageLease";

    /// <summary>Only the old key is set, so its value is the hold.</summary>
    public bool UsesDeprecatedKey => !IsSet(nameof(OperationPumpOptions.MessageHold)) && IsSet(DeprecatedName);

    public void Configure(OperationPumpOptions options)
    {
        if (UsesDeprecatedKey)
        {
            // The binder's own conversion, so a bad value fails with the same message naming Queues:MessageLease.
            options.MessageHold = queues.GetValue<TimeSpan>(DeprecatedName);
        }
    }

    public ValidateOptionsResult Validate(string? name, OperationPumpOptions options)
    {
        if (!IsSet(nameof(OperationPumpOptions.MessageHold)) || !IsSet(DeprecatedName))
        {
            return ValidateOptionsResult.Skip;
        }
        var deprecated = queues[DeprecatedName]!;
        return TimeSpan.TryParse(deprecated, CultureInfo.InvariantCulture, out var value) && value == options.MessageHold
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{Key} ({queues[nameof(OperationPumpOptions.MessageHold)]}) and its deprecated old name {DeprecatedKey} ({deprecated}) are both set and differ: remove {DeprecatedKey}.");
    }

    private bool IsSet(string name) => !string.IsNullOrWhiteSpace(queues[name]);
}
