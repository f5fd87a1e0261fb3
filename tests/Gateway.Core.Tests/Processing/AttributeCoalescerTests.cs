using System.Text.Json.Nodes;
using Libromi.Gateway.Operations;
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
    public void Updates_received_out_of_order_are_applied_in_the_order_the_gateway_accepted_them()
    {
        // The queue handed out the newer update first (the older one had been put back and came again).
        var newer = Envelope("r9", Update(new JsonObject { ["a9"] = 9, ["last"] = 9 })) with { ReceivedAt = T0.AddMilliseconds(2) };
        var older = Envelope("r8", Update(new JsonObject { ["a8"] = 8, ["last"] = 8 })) with { ReceivedAt = T0.AddMilliseconds(1) };

        var merged = AttributeCoalescer.Merge([newer, older]);

        Assert.Equal(9, merged.Attributes!["last"]!.GetValue<int>());
        Assert.Equal(8, merged.Attributes["a8"]!.GetValue<int>());
        Assert.Equal(9, merged.Attributes["a9"]!.GetValue<int>());
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
    public void Import_rows_and_packed_messages_are_never_merged()
    {
        var importRow = Envelope("a", Update(new JsonObject { ["n"] = 1 })) with { Import = new ImportPosition(0, 0, 2) };
        var packed = OperationEnvelope.Pack([Envelope("b", Update(new JsonObject { ["n"] = 1 })), Envelope("c", [Update(new JsonObject { ["n"] = 2 })], "4915100000002")]);

        Assert.False(AttributeCoalescer.CanMerge(importRow));
        Assert.False(AttributeCoalescer.CanMerge(packed));
    }

    private static OperationStep Update(JsonObject attributes) => OperationStep.UpdateAttributes(attributes);

    private static OperationEnvelope Envelope(string id, params OperationStep[] steps) => Envelope(id, steps, "4915100000001");

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
