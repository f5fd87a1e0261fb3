using System.Buffers;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Libromi.Gateway.Http;

/// <summary>Reads a small request body whole, refusing it before it is buffered when it is too large.</summary>
public static class BoundedBodyReader
{
    /// <summary>Null body with a problem result when the body is too large or cannot be read.</summary>
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int limitBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limitBytes)
        {
            return (null, Problems.PayloadTooLarge(limitBytes));
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(8192), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                buffer.Advance(read);
                if (buffer.WrittenCount > limitBytes)
                {
                    return (null, Problems.PayloadTooLarge(limitBytes));
                }
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.PayloadTooLarge(limitBytes));
        }
        return (buffer.WrittenSpan.ToArray(), null);
    }

    /// <summary>True when the request declares one of <paramref name="mediaTypes"/> (parameters such as charset allowed).</summary>
    public static bool HasMediaType(HttpRequest request, params ReadOnlySpan<string> mediaTypes)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) || parsed.MediaType is null)
        {
            return false;
        }
        foreach (var mediaType in mediaTypes)
        {
            if (string.Equals(parsed.MediaType, mediaType, StringComparison.OrdinalIgnoreCase))
            {
                return parsed.CharSet is null || string.Equals(parsed.CharSet.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase);
            }
        }
        return false;
    }
}
