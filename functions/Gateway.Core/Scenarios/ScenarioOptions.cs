using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Scenarios;

/// <summary>
/// Libromi webhook scenarios the gateway may trigger, by name, and their own rate limit. Section <c>Scenarios</c>:
/// <c>Scenarios__Definitions__{name}__Secret</c> names the secret holding the scenario's URL.
/// </summary>
public sealed class ScenarioOptions
{
    public const string SectionName = "Scenarios";

    /// <summary>Scenario names are what callers and the integrations file write; kept to a safe, loggable alphabet.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Configured scenarios by name. Get-only: the binder fills it from <c>Scenarios__Definitions__{name}__...</c>.</summary>
    public Dictionary<string, ScenarioDefinition> Definitions { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Scenario calls per minute, for the whole fleet. Libromi publishes no limit for scenario URLs: this is a
    /// conservative assumption (every call sends a WhatsApp message), kept apart from the contact endpoints' 60/min.
    /// </summary>
    [Range(1, 600)]
    public int RequestsPerMinute { get; set; } = 30;

    /// <summary>Scenario calls per hour, for the whole fleet (an assumption, as <see cref="RequestsPerMinute"/>).</summary>
    [Range(1, 100_000)]
    public int RequestsPerHour { get; set; } = 1000;

    /// <summary>How long one POST to a scenario URL may take; then it is retried like a 5xx (the scenario may have run: docs/scenarios.md).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Null when valid, else why (naming the setting, never a value).</summary>
    public string? Problem()
    {
        foreach (var (name, definition) in Definitions)
        {
            if (!IsValidName(name))
            {
                return $"Scenarios:Definitions: '{name}' is not a valid scenario name (letters, digits, '_' and '-', at most {MaxNameLength}).";
            }
            if (string.IsNullOrWhiteSpace(definition.Secret))
            {
                return $"Scenarios:Definitions:{name}:Secret must name the secret that holds the scenario's URL.";
            }
            if (!definition.HasKnownDelivery)
            {
                return $"Scenarios:Definitions:{name}:Delivery must be {ScenarioDefinition.AtMostOnce} or {ScenarioDefinition.AtLeastOnce}.";
            }
        }
        return RequestsPerHour < RequestsPerMinute ? "Scenarios:RequestsPerHour must be at least Scenarios:RequestsPerMinute." : null;
    }
}

/// <summary>One scenario: where its URL is kept and how a step whose outcome is unknown is treated.</summary>
public sealed class ScenarioDefinition
{
    /// <summary>The name of the secret (Key Vault, or <c>Gateway__Secrets__{name}</c> locally) holding the scenario's URL.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary><c>at_most_once</c> (default) or <c>at_least_once</c>; written as in the docs, so a string.</summary>
    public string Delivery { get; set; } = AtMostOnce;

    public const string AtMostOnce = "at_most_once";
    public const string AtLeastOnce = "at_least_once";

    public ScenarioDelivery Mode => string.Equals(Delivery, AtLeastOnce, StringComparison.OrdinalIgnoreCase) ? ScenarioDelivery.AtLeastOnce : ScenarioDelivery.AtMostOnce;

    internal bool HasKnownDelivery =>
        string.Equals(Delivery, AtMostOnce, StringComparison.OrdinalIgnoreCase) || string.Equals(Delivery, AtLeastOnce, StringComparison.OrdinalIgnoreCase);
}

/// <summary>What a redelivered scenario step whose earlier POST has no recorded outcome does (docs/scenarios.md).</summary>
public enum ScenarioDelivery
{
    /// <summary>Does not POST again: it is dead-lettered as <c>outcome_unknown</c>. A crash may lose a message, never send it twice.</summary>
    AtMostOnce,
    /// <summary>POSTs again: a crash may send the message twice, never lose it.</summary>
    AtLeastOnce,
}
