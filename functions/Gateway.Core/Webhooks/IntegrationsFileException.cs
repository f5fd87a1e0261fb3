namespace Libromi.Gateway.Webhooks;

/// <summary>
/// The integrations file is invalid. The message lists one <c>file: integrations.&lt;name&gt;.&lt;field&gt;: problem</c>
/// line per error, so an operator can fix them all in one pass. Thrown at start-up only; a hot reload keeps the last
/// valid file and logs the same lines instead.
/// </summary>
public sealed class IntegrationsFileException : Exception
{
    public IntegrationsFileException(string fileName, IReadOnlyList<IntegrationsFileError> errors)
        : base(Describe(fileName, errors))
    {
        FileName = fileName;
        Errors = errors;
    }

    public IntegrationsFileException() : this("integrations.json", []) { }

    public IntegrationsFileException(string message) : base(message)
    {
        FileName = "";
        Errors = [];
    }

    public IntegrationsFileException(string message, Exception innerException) : base(message, innerException)
    {
        FileName = "";
        Errors = [];
    }

    public string FileName { get; }

    public IReadOnlyList<IntegrationsFileError> Errors { get; }

    public static string Describe(string fileName, IReadOnlyList<IntegrationsFileError> errors) =>
        $"The integrations file is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):"
        + string.Concat(errors.Select(e => Environment.NewLine + e.Format(fileName)));
}

/// <summary>One problem in the integrations file; <c>Field</c> is a dotted location such as <c>integrations.shop.verify.secret</c>.</summary>
public sealed record IntegrationsFileError(string Field, string Problem)
{
    public string Format(string fileName) => $"{fileName}: {Field}: {Problem}";
}
