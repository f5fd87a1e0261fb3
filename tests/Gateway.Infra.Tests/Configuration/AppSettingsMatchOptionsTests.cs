using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Libromi.Gateway.Configuration;
using Libromi.Gateway.Infra.Tests.Bicep;
using Libromi.Gateway.Infra.Tests.Policies;
using Libromi.Gateway.Libromi;
using Libromi.Gateway.Retention;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Infra.Tests.Configuration;

/// <summary>The settings the template writes must bind to the options classes the code reads.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class AppSettingsMatchOptionsTests(CompiledInfraFixture infra)
{
    private static readonly Type[] OptionsTypes = [typeof(LibromiClientOptions), typeof(KeyVaultOptions), typeof(GatewayOptions), typeof(RetentionOptions)];

    public static readonly TheoryData<string> SettingsProductionNeeds =
    [
        "KeyVault__VaultUri",
        "Libromi__TokenSecretName",
        "Libromi__RequestsPerMinute",
        "Libromi__RequestsPerHour",
        "Libromi__BaseUrl",
        "Gateway__IntegrationsFile",
        // The host refuses to load the retention timer when its %RetentionSchedule% resolves to nothing.
        RetentionOptions.ScheduleSetting,
    ];

    [Fact]
    public void Every_gateway_setting_the_template_writes_names_a_real_option_property()
    {
        var optionSettings = OptionsTypes.SelectMany(SettingNames).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sectionPrefixes = OptionsTypes.Select(type => SectionName(type) + "__").ToList();

        var written = FunctionApp.AppSettings(infra.Template).Keys
            .Where(name => sectionPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .ToList();

        Assert.NotEmpty(written);
        Assert.All(written, name => Assert.True(optionSettings.Contains(name), $"{name} binds to no option property; known: {string.Join(", ", optionSettings.Order())}"));
    }

    [Theory]
    [MemberData(nameof(SettingsProductionNeeds))]
    public void Template_writes_the_setting_production_needs(string setting)
    {
        Assert.Contains(setting, FunctionApp.AppSettings(infra.Template).Keys);
    }

    [Theory]
    [InlineData("free", 60, 1000)]
    [InlineData("paid", 60, 10000)]
    public void Libromi_plan_sets_the_documented_rate_limits_within_the_options_ranges(string plan, int perMinute, int perHour)
    {
        var limits = infra.Template.Variable("libromiPlanLimits")![plan]!;
        Assert.Equal(perMinute, limits["requestsPerMinute"]!.GetValue<int>());
        Assert.Equal(perHour, limits["requestsPerHour"]!.GetValue<int>());

        Assert.True(Range(nameof(LibromiClientOptions.RequestsPerMinute)).IsValid(perMinute));
        Assert.True(Range(nameof(LibromiClientOptions.RequestsPerHour)).IsValid(perHour));

        Assert.Equal("[variables('libromiPlanLimits')[parameters('libromiPlan')].requestsPerMinute]", infra.Template.ModuleParameterValue("gateway", "requestsPerMinute"));
        Assert.Equal("[variables('libromiPlanLimits')[parameters('libromiPlan')].requestsPerHour]", infra.Template.ModuleParameterValue("gateway", "requestsPerHour"));
        var settings = FunctionApp.AppSettings(infra.Template);
        Assert.Equal("[string(parameters('requestsPerMinute'))]", settings["Libromi__RequestsPerMinute"]);
        Assert.Equal("[string(parameters('requestsPerHour'))]", settings["Libromi__RequestsPerHour"]);
    }

    [Fact]
    public void Retention_schedule_is_the_code_default_and_a_valid_timer_schedule()
    {
        var schedule = FunctionApp.AppSettings(infra.Template)[RetentionOptions.ScheduleSetting];

        Assert.Equal(RetentionOptions.DefaultSchedule, schedule);
        Assert.True(RetentionSchedule.IsValid(schedule));
    }

    [Fact]
    public void Token_secret_name_is_the_one_the_options_default_to()
    {
        Assert.Equal(new LibromiClientOptions().TokenSecretName, infra.Template.Variable("libromiTokenSecretName")!.GetValue<string>());
        Assert.Equal("[variables('libromiTokenSecretName')]", infra.Template.ModuleParameterValue("gateway", "tokenSecretName"));
    }

    [Fact]
    public void Libromi_base_url_defaults_to_the_options_default()
    {
        var templateDefault = infra.Template.Parameters["libromiBaseUrl"]!["defaultValue"]!.GetValue<string>();
        Assert.Equal(new LibromiClientOptions().BaseUrl, new Uri(templateDefault));
    }

    private static IEnumerable<string> SettingNames(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.SetMethod?.IsPublic == true)
            .Select(property => $"{SectionName(optionsType)}__{property.Name}");

    private static string SectionName(Type optionsType) =>
        (string)optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    private static RangeAttribute Range(string property) =>
        typeof(LibromiClientOptions).GetProperty(property)!.GetCustomAttribute<RangeAttribute>()
        ?? throw new InvalidOperationException($"{property} has no [Range].");
}
