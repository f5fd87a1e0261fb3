using System.Text.Json;
using System.Text.Json.Serialization;

namespace Libromi.Simulator;

/// <summary>
/// JSON conventions of the simulator: snake_case property names like Libromi's API, dictionary keys
/// (attribute names, error fields) verbatim. The inspection API uses the same settings, so clients
/// deserialise its records with <see cref="Options"/>.
/// </summary>
public static class SimulatorJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
