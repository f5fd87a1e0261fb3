using System.Text;
using Libromi.Gateway.Webhooks;
using Libromi.Gateway.Secrets;

namespace Libromi.Gateway.Tests.Webhooks;

/// <summary>Secrets held in memory; counts reads so tests can tell which secrets were consulted.</summary>
internal sealed class InMemorySecretSource(Dictionary<string, string> secrets) : ISecretSource
{
    public string Kind => "memory";

    public List<string> Reads { get; } = [];

    public Exception? Failure { get; init; }

    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        Reads.Add(name);
        if (Failure is not null)
        {
            throw Failure;
        }
        return ValueTask.FromResult(secrets.TryGetValue(name, out var value) ? value : null);
    }
}

internal static class TestSupport
{
    public static readonly Uri HookUri = new("https://gateway.example.com/api/hooks/test");

    /// <summary>Parses a file holding one integration named "test" with the given body (the part inside its braces).</summary>
    public static IntegrationDefinition Integration(string definitionJson)
    {
        var integrations = IntegrationsFile.Parse($$"""{ "integrations": { "test": {{definitionJson}} } }""", "integrations.json");
        return integrations["test"];
    }

    public static WebhookRequest Json(string body, params (string Name, string Value)[] headers) =>
        WebhookRequest.Post(HookUri, WebhookHeaders.From(headers), Encoding.UTF8.GetBytes(body), "application/json");

    public static WebhookRequest Form(string body, params (string Name, string Value)[] headers) =>
        WebhookRequest.Post(HookUri, WebhookHeaders.From(headers), Encoding.UTF8.GetBytes(body), "application/x-www-form-urlencoded");

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above the test output.");
    }
}
