using System.ComponentModel.DataAnnotations;

namespace Libromi.Gateway.Telemetry;

/// <summary>Where metrics and traces go. Section <c>Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Local exporter: <c>none</c> (default), <c>console</c>, or <c>otlp</c> (endpoint from the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). On Azure, <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> turns on
    /// the Azure Monitor exporter whatever this says.
    /// </summary>
    [RegularExpression("^(none|console|otlp)$", ErrorMessage = "Telemetry:Exporter must be none, console or otlp.")]
    public string Exporter { get; set; } = "none";

    /// <summary>How often queue depths, ages and the dead-letter count are read for the gauges.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(30);
}
