namespace Libromi.Simulator.Inspection;

/// <summary>
/// One request as the simulator received and answered it (<c>GET /_simulator/requests</c>).
/// </summary>
/// <param name="Sequence">Arrival order, from 1; survives a cleared log so numbers are never reused.</param>
/// <param name="ReceivedAt">Arrival time (UTC) by the simulator's clock.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Decoded path including <c>/api/v1</c>, e.g. <c>/api/v1/contact/1234567890</c>.</param>
/// <param name="Query">Query string including <c>?</c>, empty when there is none.</param>
/// <param name="BearerToken">Token from <c>Authorization: Bearer</c>, null when absent.</param>
/// <param name="Headers">Request headers, multiple values joined with <c>", "</c>.</param>
/// <param name="Body">Raw request body (UTF-8), empty when there is none.</param>
/// <param name="StatusCode">Status answered; 499 when the client went away before the answer.</param>
/// <param name="ClientAborted">The client closed the connection before the response was complete.</param>
public sealed record RecordedRequest(
    long Sequence,
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    string Query,
    string? BearerToken,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int StatusCode,
    bool ClientAborted);
