using System.Collections.Concurrent;
using Azure.Core;

namespace Libromi.Gateway.EndToEnd.KeyVault;

/// <summary>Stands in for Entra ID: issues the fake vault's access token and records what it was asked for.</summary>
public sealed class StubTokenCredential(string accessToken) : TokenCredential
{
    private readonly ConcurrentQueue<TokenRequestContext> _requests = new();

    public IReadOnlyCollection<TokenRequestContext> Requests => _requests;

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requests.Enqueue(requestContext);
        return new AccessToken(accessToken, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
