using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;

namespace Libromi.Gateway.Http;

/// <summary>
/// How every JSON answer of both hosts spells its fields: snake_case by policy, so a view's property names are its
/// contract and need no attribute. Dictionary keys (contact attributes, reasons, field errors) are data and keep
/// their spelling. Queue messages and stored rows do not pass through here: their wire names stay explicit.
/// </summary>
public static class GatewayJson
{
    public static void Configure(JsonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.SerializerOptions.DictionaryKeyPolicy = null;
    }
}
