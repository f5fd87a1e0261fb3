using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.EndToEnd.KeyVault;

/// <summary>
/// An in-process HTTPS server speaking the part of the Key Vault secrets REST API that
/// <c>SecretClient.GetSecretAsync</c> uses: challenge authentication (401 with a Bearer challenge, then the bearer
/// token <see cref="AccessToken"/>), <c>GET /secrets/{name}[/{version}]?api-version=...</c>, and Key Vault's 404
/// body for unknown secrets. Listens on 127.0.0.1 at a free port with a self-signed certificate generated on the first start in the test run.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string TenantId = "72f988bf-0000-4000-8000-00000000fa4e";

    // Generated once per test run: RSA key generation is the slowest part of starting a vault, and every
    // instance still pins exactly this certificate.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(CreateSelfSignedCertificate);

    private readonly ConcurrentDictionary<string, List<(string Version, string Value)>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _requestLog = new();
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _certificateHash;
    private WebApplication? _app;

    private FakeKeyVault(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _certificateHash = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The only bearer token the vault accepts; <see cref="StubTokenCredential"/> issues it.</summary>
    public string AccessToken { get; } = "fake-vault-access-" + Guid.NewGuid().ToString("N");

    public Uri VaultUri { get; private set; } = null!;

    /// <summary>One line per request ("GET /secrets/x/ -> 200"), for the test output when something fails.</summary>
    public IReadOnlyCollection<string> RequestLog => _requestLog;

    public static async Task<FakeKeyVault> StartAsync()
    {
        var vault = new FakeKeyVault(SharedCertificate.Value);
        await vault.StartServerAsync();
        return vault;
    }

    /// <summary>Stores a new version of <paramref name="name"/> (creation or rotation) and returns its version id.</summary>
    public string SetSecret(string name, string value)
    {
        var version = Guid.NewGuid().ToString("N");
        var versions = _secrets.GetOrAdd(name, _ => []);
        lock (versions)
        {
            versions.Add((version, value));
        }

        return version;
    }

    /// <summary>Authenticated reads of <paramref name="name"/> (any version, found or not).</summary>
    public int ReadsOf(string name) => _reads.TryGetValue(name, out var count) ? count : 0;

    /// <summary>A transport that trusts this vault's certificate and no other untrusted one.</summary>
    public HttpClientTransport CreateTransport()
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = IsThisVaultsCertificate },
        };
        return new HttpClientTransport(handler);
    }

    /// <summary>Stops listening: later requests fail to connect, as with a vault that is down.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    // Pinning: the chain is expected to be untrusted (self-signed), but the host name must match and the
    // certificate must be exactly the one generated for the fake vault.
    private bool IsThisVaultsCertificate(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors) =>
        presented is not null
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), _certificateHash);

    private async Task StartServerAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_certificate)));
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();

        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            await next(context);
            _requestLog.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} -> {context.Response.StatusCode}");
        });
        _app.Use(async (context, next) =>
        {
            if (!context.Request.Query.ContainsKey("api-version"))
            {
                await WriteError(context, StatusCodes.Status400BadRequest, "MissingApiVersionParameter", "The api-version query parameter is required.");
                return;
            }

            if (context.Request.Headers.Authorization.ToString() != $"Bearer {AccessToken}")
            {
                // Key Vault answers every unauthenticated request with the challenge that tells the client which
                // tenant and resource to get a token for; SecretClient sends its first request without a token.
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"";
                await WriteError(context, StatusCodes.Status401Unauthorized, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
                return;
            }

            await next(context);
        });
        _app.MapGet("/secrets/{name}/{version?}", (string name, string? version, HttpContext context) => GetSecret(name, version, context));

        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        VaultUri = new Uri($"https://127.0.0.1:{new Uri(address).Port}/");
    }

    private async Task GetSecret(string name, string? version, HttpContext context)
    {
        _reads.AddOrUpdate(name, 1, (_, count) => count + 1);

        (string Version, string Value)? found = null;
        if (_secrets.TryGetValue(name, out var versions))
        {
            lock (versions)
            {
                found = string.IsNullOrEmpty(version)
                    ? versions[^1]
                    : versions.Where(v => v.Version == version).Select(v => ((string, string)?)v).FirstOrDefault();
            }
        }

        if (found is not { } secret)
        {
            var what = string.IsNullOrEmpty(version) ? $"A secret with (name/id) {name}" : $"A secret with (name/id) {name}/{version}";
            await WriteError(context, StatusCodes.Status404NotFound, "SecretNotFound", $"{what} was not found in this key vault.");
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await context.Response.WriteAsJsonAsync(new
        {
            value = secret.Value,
            id = new Uri(VaultUri, $"secrets/{name}/{secret.Version}").ToString(),
            attributes = new { enabled = true, created = now, updated = now, recoveryLevel = "Recoverable+Purgeable", recoverableDays = 90 },
            tags = new Dictionary<string, string>(),
        });
    }

    private static Task WriteError(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = new { code, message } });
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));

        var now = DateTimeOffset.UtcNow;
        using var ephemeral = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform (Windows
        // refuses ephemeral keys for TLS servers).
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
