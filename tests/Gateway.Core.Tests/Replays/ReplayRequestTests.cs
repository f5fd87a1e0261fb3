using System.Text;
using Libromi.Gateway.Replays;

namespace Libromi.Gateway.Tests.Replays;

public sealed class ReplayRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static (ReplayRequest? Request, Dictionary<string, string[]> Errors) Parse(string json)
    {
        var errors = new Dictionary<string, string[]>();
        return (ReplayRequest.Parse(Encoding.UTF8.GetBytes(json), Now, errors), errors);
    }

    [Fact]
    public void Deliveries_of_an_integration_with_an_outcome_default_to_the_last_24_hours()
    {
        var (request, errors) = Parse("""{"source": "deliveries", "filter": {"integration": "shop", "outcome": "invalid"}, "dry_run": true}""");

        Assert.Empty(errors);
        Assert.Equal(ReplaySource.Deliveries, request!.Source);
        Assert.True(request.DryRun);
        Assert.Equal(new DeliveryReplayFilter("shop", "invalid", Now.AddHours(-24), Now, null), request.Deliveries);
    }

    [Fact]
    public void Dead_letters_take_the_dead_letter_filter_fields()
    {
        var (request, errors) = Parse("""{"source": "dead_letters", "filter": {"source": "hook:shop", "reason_class": "exhausted", "since": "2026-12-01T00:00:00Z"}}""");

        Assert.Empty(errors);
        Assert.Equal(ReplaySource.DeadLetters, request!.Source);
        Assert.Equal("hook:shop", request.DeadLetters!.Source);
        Assert.Equal("exhausted", request.DeadLetters.ReasonClass);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), request.DeadLetters.Since);
        Assert.False(request.DryRun);
    }

    [Theory]
    [InlineData("""{"source": "dead_letters"}""", "all")]
    [InlineData("""{"source": "dead_letters", "filter": {}}""", "all")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop"}}""", "all")]
    public void An_empty_filter_must_be_confirmed_with_all(string json, string field)
    {
        var (request, errors) = Parse(json);

        Assert.Null(request);
        Assert.Contains(field, errors.Keys);
        Assert.NotNull(Parse(json[..^1] + """, "all": true}""").Request);
    }

    [Theory]
    [InlineData("""{"source": "imports", "all": true}""", "source")]
    [InlineData("""{"all": true}""", "source")]
    [InlineData("""{"source": 3}""", "source")]
    [InlineData("""{"source": "deliveries", "filter": {"outcome": "invalid"}}""", "filter.integration")]
    [InlineData("""{"source": "deliveries"}""", "filter.integration")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "since": "yesterday"}}""", "filter.since")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}}""", "filter.since")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "since": "2024-12-01T00:00:00Z"}}""", "filter.since")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "outcome": "failed"}}""", "filter.outcome")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "delivery_id": "abc"}}""", "filter.delivery_id")]
    [InlineData("""{"source": "deliveries", "filter": {"integration": "shop", "outcom": "invalid"}}""", "filter.outcom")]
    [InlineData("""{"source": "dead_letters", "filter": {"reason_class": "bad"}}""", "filter.reason_class")]
    [InlineData("""{"source": "dead_letters", "filter": {"until": "13/13/2026"}}""", "filter.until")]
    [InlineData("""{"source": "dead_letters", "all": "yes"}""", "all")]
    [InlineData("""{"source": "dead_letters", "all": true, "dry_run": 1}""", "dry_run")]
    [InlineData("""{"source": "dead_letters", "all": true, "limit": 5}""", "limit")]
    [InlineData("""{"source": "dead_letters", "filter": []}""", "filter")]
    [InlineData("""[]""", "body")]
    [InlineData("""{"source": """, "body")]
    public void Bad_input_names_the_field_at_fault(string json, string field)
    {
        var (request, errors) = Parse(json);

        Assert.Null(request);
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void A_delivery_id_narrows_the_window_to_the_deliverys_own_time()
    {
        var id = Guid.CreateVersion7(Now.AddDays(-3)).ToString("N");

        var (request, errors) = Parse($$$"""{"source": "deliveries", "filter": {"integration": "shop", "delivery_id": "{{{id}}}"}}""");

        Assert.Empty(errors);
        Assert.Equal(id, request!.Deliveries!.DeliveryId);
        Assert.Equal(request.Deliveries.Since, request.Deliveries.Until);
        Assert.Equal(Now.AddDays(-3).ToUnixTimeMilliseconds(), request.Deliveries.Until.ToUnixTimeMilliseconds());
    }
}
