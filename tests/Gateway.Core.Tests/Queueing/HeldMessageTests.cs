using Libromi.Gateway.Operations;
using static Libromi.Gateway.Tests.Queueing.HeldMessages;

namespace Libromi.Gateway.Tests.Queueing;

public sealed class HeldMessageTests
{
    [Fact]
    public void An_attribute_update_may_merge_in_its_contacts_line()
    {
        var update = Update(Alice, 1);

        Assert.Equal((Alice, true, false), (update.Contact, update.Mergeable, update.EndsGroup));
    }

    [Fact]
    public void An_update_followed_by_a_staff_assignment_may_merge_but_ends_its_group()
    {
        var upsert = UpdateThenAssign(Alice, 1);

        Assert.Equal((Alice, true, true), (upsert.Contact, upsert.Mergeable, upsert.EndsGroup));
    }

    [Fact]
    public void Other_operations_for_one_contact_keep_their_place_in_its_line_without_merging()
    {
        var assignment = Assign(Alice);
        var ensure = Held(Envelope(Alice, OperationStep.EnsureContact()), null);

        Assert.All([assignment, ensure], message => Assert.Equal((Alice, false), (message.Contact, message.Mergeable)));
    }

    [Fact]
    public void Unreadable_and_packed_messages_belong_to_no_contacts_line()
    {
        Assert.All([Unreadable(), PackedImport(Alice, Bob)], message => Assert.Equal((null, false), (message.Contact, message.Mergeable)));
    }

    [Fact]
    public void A_single_import_row_keeps_its_place_in_the_contacts_line_but_never_merges()
    {
        var row = Held(Envelope(Alice, OperationStep.UpdateAttributes(new() { ["n"] = 1 })) with { Import = new ImportPosition(0, 0, 2), Lane = Lane.Bulk }, null);

        Assert.Equal((Alice, false), (row.Contact, row.Mergeable));
    }

    [Fact]
    public void A_renewed_hold_is_due_again_half_a_hold_after_the_renewal_was_sent()
    {
        var hold = TimeSpan.FromSeconds(10);
        var message = Update(Alice, 1);

        message.Held("receipt-1", T0.AddSeconds(4));

        Assert.False(message.IsRenewalDue(T0.AddSeconds(8), hold));
        Assert.True(message.IsRenewalDue(T0.AddSeconds(9), hold));
        Assert.Equal("receipt-1", message.PopReceipt);
    }

    [Fact]
    public async Task Storage_operations_on_one_message_take_turns()
    {
        var message = Update(Alice, 1);
        var first = await message.TakeTurnAsync(CancellationToken.None);

        var second = message.TakeTurnAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second).Dispose();
    }
}
