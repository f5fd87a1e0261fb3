using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;
using Libromi.Gateway.Processing;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Tests.Processing;

public sealed class AttributeCoalescerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Later_values_win_and_removals_are_kept()
    {
        var merged = AttributeCoalescer.Merge(
        [
            Envelope("a", Update(new JsonObject { ["city"] = "Berlin", ["age"] = 30, ["nickname"] = "Bo" })),
            Envelope("b", Update(new JsonObject { ["city"] = "Paris", ["nickname"] = null, ["vip"] = "" })),
        ]);

        Assert.Equal(OperationKind.UpdateAttributes, merged.Kind);
        Assert.Equal("""{"city":"Paris","age":30,"nickname":null,"vip":""}""", merged.Attributes!.ToJsonString());
    }

    [Fact]
    public void Messages_for_one_contact_are_grouped_in_the_order_they_were_queued()
    {
        var batch = new[]
        {
            Candidate(Envelope("late", Update(new JsonObject { ["n"] = 2 })), T0.AddSeconds(2)),
            Candidate(Envelope("other", Update(new JsonObject { ["n"] = 9 }), phone: "4915100000002"), T0.AddSeconds(1)),
            Candidate(Envelope("early", Update(new JsonObject { ["n"] = 1 })), T0),
        };

        var groups = AttributeCoalescer.Group(batch);

        Assert.Equal([[2, 0], [1]], groups.Select(g => g.ToArray()).ToArray());
    }

    [Fact]
    public void A_staff_assignment_after_the_updates_may_be_merged_but_an_update_after_it_may_not()
    {
        var updateThenAssign = Envelope("a", Update(new JsonObject { ["n"] = 1 }), OperationStep.AssignStaff("agent@company.test"));
        var assignThenUpdate = Envelope("b", OperationStep.AssignStaff("agent@company.test"), Update(new JsonObject { ["n"] = 2 }));
        var updateAssignUpdate = Envelope("c", Update(new JsonObject { ["n"] = 1 }), OperationStep.AssignStaff("agent@company.test"), Update(new JsonObject { ["n"] = 2 }));

        Assert.NotNull(AttributeCoalescer.Read(EnvelopeSerializer.Serialize(updateThenAssign)));
        Assert.Null(AttributeCoalescer.Read(EnvelopeSerializer.Serialize(assignThenUpdate)));
        Assert.Null(AttributeCoalescer.Read(EnvelopeSerializer.Serialize(updateAssignUpdate)));
        Assert.Equal(1, AttributeCoalescer.LeadingUpdates(updateThenAssign));
    }

    [Fact]
    public void Unreadable_and_unmergeable_messages_stay_alone()
    {
        var batch = new[]
        {
            Candidate(Envelope("a", OperationStep.EnsureContact()), T0),
            new AttributeCoalescer.Candidate("not json", T0),
            Candidate(Envelope("b", OperationStep.EnsureContact()), T0),
        };

        Assert.Equal(3, AttributeCoalescer.Group(batch).Count);
    }

    private static OperationStep Update(JsonObject attributes) => OperationStep.UpdateAttributes(attributes);

    private static AttributeCoalescer.Candidate Candidate(OperationEnvelope envelope, DateTimeOffset insertedOn) =>
        new(EnvelopeSerializer.Serialize(envelope), insertedOn);

    private static OperationEnvelope Envelope(string id, params OperationStep[] steps) => Envelope(id, steps, "4915100000001");

    private static OperationEnvelope Envelope(string id, OperationStep step, string phone) => Envelope(id, [step], phone);

    private static OperationEnvelope Envelope(string id, OperationStep[] steps, string phone) => new()
    {
        OperationId = id,
        PhoneNumber = phone,
        Steps = steps,
        Source = "api",
        ReceivedAt = T0,
        CorrelationId = id,
    };
}
