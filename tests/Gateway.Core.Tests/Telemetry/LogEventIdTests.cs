using System.Reflection;
using Libromi.Gateway.Hosting;
using Microsoft.Extensions.Logging;

namespace Libromi.Gateway.Tests.Telemetry;

/// <summary>Operators alert and filter on event ids, so one id must name one event across the whole gateway.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_of_the_core_library_has_its_own_id()
    {
        var events = typeof(GatewayServiceCollectionExtensions).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.Name}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.NotEmpty(events);
        var shared = events.GroupBy(e => e.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "Event ids used more than once: " + string.Join("; ", shared));
    }
}
