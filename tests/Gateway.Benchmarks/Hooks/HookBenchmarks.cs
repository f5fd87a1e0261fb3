using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Libromi.Gateway.Webhooks;

namespace Libromi.Gateway.Benchmarks.Hooks;

/// <summary>
/// Issue 5: what verifying and mapping one delivery costs, against a floor any webhook receiver pays for the same
/// body (parse the JSON once, hash the bytes once). The ratio column is verify+map over that floor.
/// </summary>
[MemoryDiagnoser]
public class HookBenchmarks
{
    private readonly FixedSecretSource _secrets = new();
    private readonly FixedClock _clock = new(HookDeliveries.SentAt);
    private WebhookRequest _delivery = null!;

    /// <summary>Body size in KB: a typical single-event delivery and a large batch near the 256 KB body limit.</summary>
    [Params(2, 200)]
    public int BodyKb { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _delivery = HookDeliveries.Delivery(BodyKb * 1024);
        // A benchmark of the failure path would flatter the gateway: prove the happy path is what runs.
        if (VerifyAndMap() is not MappingResult.Mapped mapped || !mapped.AllOperations.Any())
        {
            throw new InvalidOperationException("The benchmark delivery did not verify and map to operations.");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse + SHA-256 (floor)")]
    public int ParseAndHash()
    {
        using var document = JsonDocument.Parse(_delivery.Body);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_delivery.Body.Span, hash);
        return document.RootElement.GetProperty("events").GetArrayLength() + hash[0];
    }

    [Benchmark(Description = "Standard Webhooks verify + map items")]
    public MappingResult VerifyAndMap()
    {
        var verification = WebhookVerification.VerifyAsync(HookDeliveries.Integration, _delivery, _secrets, _clock).GetAwaiter().GetResult();
        return verification is VerificationResult.Verified
            ? PayloadMapper.Map(HookDeliveries.Integration, _delivery)
            : throw new InvalidOperationException($"Verification failed: {verification}");
    }
}
