using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Libromi;

/// <summary>Settings of the Libromi account the gateway forwards to. Section <c>Libromi</c>.</summary>
public sealed class LibromiClientOptions
{
    public const string SectionName = "Libromi";

    /// <summary>Libromi Connect's API root; tests point it at the simulator.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://wa-api.cloud/api/v1");

    /// <summary>Name of the Key Vault secret that holds the API token.</summary>
    [Required]
    public string TokenSecretName { get; set; } = "libromi-api-token";

    /// <summary>The token itself, for local development only when no Key Vault is configured.</summary>
    public string? ApiToken { get; set; }

    /// <summary>Libromi's throttle on contact endpoints is 60 requests a minute (burst limit 100).</summary>
    [Range(1, 100)]
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>1,000 an hour on free accounts, 10,000 on paid ones.</summary>
    [Range(1, 10_000)]
    public int RequestsPerHour { get; set; } = 1_000;

    /// <summary>Country code for numbers written in national format (leading 0); none by default.</summary>
    [RegularExpression("^[1-9][0-9]{0,2}$")]
    public string? DefaultCountryCode { get; set; }

    /// <summary>Per-attempt timeout of one HTTP call.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound of one call including in-process retries; past it the caller requeues.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
