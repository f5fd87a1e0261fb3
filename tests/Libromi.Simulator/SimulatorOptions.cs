using Libromi.Simulator.Contacts;
using Libromi.Simulator.Faults;

namespace Libromi.Simulator;

/// <summary>
/// Start-up settings of the simulator, section <c>Simulator</c> (environment variables
/// <c>Simulator__Name</c>, lists as <c>Simulator__Name__0..n</c>). See the project README for the table.
/// </summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Tokens with Libromi's "Admin (Full Access)" permission.</summary>
    public List<string> AdminTokens { get; } = [];

    /// <summary>Tokens with Libromi's "Read Only" permission: GET is allowed, writes get 403.</summary>
    public List<string> ReadOnlyTokens { get; } = [];

    /// <summary>E-mail addresses of the company's staff; assign-staff accepts only these usernames.</summary>
    public List<string> Staff { get; } = [];

    /// <summary>Sliding one-minute window per token; Libromi throttles contact endpoints at 60 a minute. 0 disables it.</summary>
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Sliding one-hour window per token; Libromi's free plan allows 1,000 an hour. 0 disables it.</summary>
    public int RequestsPerHour { get; set; } = 1_000;

    /// <summary>
    /// When true (default) every contact gets a conversation when it is created, so assign-staff succeeds
    /// for any existing contact. When false only <see cref="ContactsWithConversations"/> and contacts seeded
    /// through <c>POST /_simulator/contacts/{phone}/conversation</c> have one; the rest answer
    /// "Conversation not found" like a contact that never chatted.
    /// </summary>
    public bool AllContactsHaveConversations { get; set; } = true;

    /// <summary>Phone numbers (any format) created at start, and again on reset, with a conversation.</summary>
    public List<string> ContactsWithConversations { get; } = [];

    /// <summary>Attribute name to type, merged over <see cref="AttributeSchema.DefaultTypes"/>.</summary>
    public Dictionary<string, AttributeType> AttributeTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>Attributes marked read-only: a contact answer shows <c>is_read_only: true</c> and an update of one is a 422.</summary>
    public List<string> ReadOnlyAttributes { get; } = [];

    /// <summary>Faults active from start-up; replaced at run time through <c>PUT /_simulator/faults</c>.</summary>
    /// <remarks>A fresh instance on purpose: the configuration binder binds into the existing value, which must never be the shared <see cref="FaultSettings.None"/>.</remarks>
    public FaultSettings Faults { get; set; } = new();

    /// <summary>Tokens accepted when none are configured, so a bare <c>dotnet run</c> is usable.</summary>
    public const string DevelopmentAdminToken = "sim-admin-token";

    /// <summary>Read-only token accepted when no tokens are configured.</summary>
    public const string DevelopmentReadOnlyToken = "sim-read-only-token";

    /// <summary>Staff member known when no staff is configured.</summary>
    public const string DevelopmentStaff = "staff@example.com";

    /// <summary>True when the development tokens/staff were filled in because nothing was configured.</summary>
    public bool UsesDevelopmentDefaults { get; private set; }

    /// <summary>Binds the section, fills development defaults for empty token and staff lists, and validates.</summary>
    public static SimulatorOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new SimulatorOptions();
        configuration.GetSection(SectionName).Bind(options);

        if (options.AdminTokens.Count == 0 && options.ReadOnlyTokens.Count == 0)
        {
            options.AdminTokens.Add(DevelopmentAdminToken);
            options.ReadOnlyTokens.Add(DevelopmentReadOnlyToken);
            options.UsesDevelopmentDefaults = true;
        }

        if (options.Staff.Count == 0)
        {
            options.Staff.Add(DevelopmentStaff);
            options.UsesDevelopmentDefaults = true;
        }

        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Invalid simulator configuration: {string.Join(" ", problems)}");
        }

        return options;
    }

    private List<string> Validate()
    {
        var problems = new List<string>(Faults.Validate());
        if (RequestsPerMinute < 0)
        {
            problems.Add("RequestsPerMinute must be 0 (off) or positive.");
        }

        if (RequestsPerHour < 0)
        {
            problems.Add("RequestsPerHour must be 0 (off) or positive.");
        }

        if (AdminTokens.Concat(ReadOnlyTokens).Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Tokens must not be blank.");
        }

        return problems;
    }
}
