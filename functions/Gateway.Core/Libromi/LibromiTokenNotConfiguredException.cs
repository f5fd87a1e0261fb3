namespace Libromi.Gateway.Libromi;

/// <summary>
/// No Libromi API token exists where the gateway looks for it. A configuration fault, not a transient one:
/// the message says which setting or secret to create, and never contains a value.
/// </summary>
public sealed class LibromiTokenNotConfiguredException(string message) : InvalidOperationException(message);
