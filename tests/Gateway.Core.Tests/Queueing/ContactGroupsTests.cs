using Libromi.Gateway.Operations;
using Libromi.Gateway.Queueing;
using static Libromi.Gateway.Tests.Queueing.HeldMessages;

namespace Libromi.Gateway.Tests.Queueing;

public sealed class ContactGroupsTests
{
    private readonly ContactGroups _groups = new();

    [Fact]
    public void Updates_for_one_contact_received_apart_join_one_group_in_the_order_they_were_queued()
    {
        _groups.Hold(Update(Alice, 2, T0.AddSeconds(2)));
        _groups.Hold(Update(Bob, 9, T0.AddSeconds(1)));
        _groups.Hold(Update(Alice, 3, T0.AddSeconds(2)));
        _groups.Hold(Update(Alice, 1, T0));

        var started = _groups.Start(10);

        Assert.Equal([[1, 2, 3], [9]], started.Select(Values).ToArray());
        Assert.Equal(4, _groups.HeldMessages);
    }

    [Fact]
    public void Updates_queued_in_one_second_merge_in_the_order_the_gateway_accepted_them_whatever_order_they_are_received_in()
    {
        // Enqueue times have whole seconds; a run that handed messages back lets the next one receive them in any order.
        var later = Held(Envelope(Alice, OperationStep.UpdateAttributes(new System.Text.Json.Nodes.JsonObject { ["n"] = 2 })) with { ReceivedAt = T0.AddMilliseconds(700) }, T0);
        var earlier = Held(Envelope(Alice, OperationStep.UpdateAttributes(new System.Text.Json.Nodes.JsonObject { ["n"] = 1 })) with { ReceivedAt = T0.AddMilliseconds(300) }, T0);
        _groups.Hold(later);
        _groups.Hold(earlier);

        var started = Assert.Single(_groups.Start(10));

        Assert.Equal([1, 2], Values(started));
    }

    [Fact]
    public void A_requeued_update_keeps_its_place_before_an_update_the_gateway_accepted_after_it()
    {
        // Requeued after a failure: stored anew (a later enqueue time) but accepted first.
        var requeued = Held(Envelope(Alice, OperationStep.UpdateAttributes(new System.Text.Json.Nodes.JsonObject { ["n"] = 1 })) with { ReceivedAt = T0 }, T0.AddSeconds(30));
        var newer = Held(Envelope(Alice, OperationStep.UpdateAttributes(new System.Text.Json.Nodes.JsonObject { ["n"] = 2 })) with { ReceivedAt = T0.AddSeconds(10) }, T0.AddSeconds(10));
        _groups.Hold(newer);
        _groups.Hold(requeued);

        Assert.Equal([1, 2], Values(Assert.Single(_groups.Start(10))));
    }

    [Fact]
    public void A_started_group_takes_no_more_updates_and_the_contacts_next_group_waits_until_it_completes()
    {
        _groups.Hold(Update(Alice, 1));
        var first = Assert.Single(_groups.Start(10));
        _groups.Hold(Update(Alice, 2));
        _groups.Hold(Update(Alice, 3));

        Assert.Empty(_groups.Start(10));
        Assert.Equal((1, 1), (_groups.RunningGroups, _groups.WaitingGroups));

        _groups.Complete(first);
        var second = Assert.Single(_groups.Start(10));

        Assert.Equal([2, 3], Values(second));
        Assert.Equal(2, _groups.HeldMessages);
    }

    [Fact]
    public void Anything_else_for_the_contact_closes_its_open_group_and_runs_after_it()
    {
        _groups.Hold(Update(Alice, 1));
        var assignment = Assign(Alice);
        _groups.Hold(assignment);
        _groups.Hold(Update(Alice, 3));

        var first = Assert.Single(_groups.Start(10));
        Assert.Equal([1], Values(first));
        _groups.Complete(first);
        var second = Assert.Single(_groups.Start(10));
        Assert.Same(assignment, Assert.Single(second.Messages));
        _groups.Complete(second);
        Assert.Equal([3], Values(Assert.Single(_groups.Start(10))));
    }

    [Fact]
    public void An_update_with_a_staff_assignment_joins_the_open_group_last_so_later_updates_follow_the_assignment()
    {
        _groups.Hold(Update(Alice, 1));
        _groups.Hold(UpdateThenAssign(Alice, 2));
        _groups.Hold(Update(Alice, 3));

        var first = Assert.Single(_groups.Start(10));
        Assert.Equal([1, 2], Values(first));
        _groups.Complete(first);
        Assert.Equal([3], Values(Assert.Single(_groups.Start(10))));
    }

    [Fact]
    public void Groups_start_oldest_first_and_no_more_than_asked()
    {
        _groups.Hold(Update(Carol, 3, T0.AddSeconds(3)));
        _groups.Hold(Update(Alice, 1, T0.AddSeconds(1)));
        _groups.Hold(Update(Bob, 2, T0.AddSeconds(2)));

        var started = _groups.Start(2);

        Assert.Equal([[1], [2]], started.Select(Values).ToArray());
        Assert.Equal((2, 1), (_groups.RunningGroups, _groups.WaitingGroups));
        Assert.Equal([3], Values(Assert.Single(_groups.Start(2))));
    }

    [Fact]
    public void Messages_naming_no_single_contact_stand_alone_and_do_not_wait_for_each_other()
    {
        _groups.Hold(Unreadable());
        _groups.Hold(PackedImport(Alice, Bob));
        _groups.Hold(PackedImport(Alice, Carol));
        _groups.Hold(Update(Alice, 1));

        var started = _groups.Start(10);

        Assert.Equal(4, started.Count);
        Assert.All(started, group => Assert.Single(group.Messages));
        Assert.Equal(3, started.Count(group => group.Contact is null));
    }

    [Fact]
    public void A_message_received_again_after_its_hold_lapsed_takes_the_new_receipt_instead_of_being_held_twice()
    {
        var envelope = Envelope(Alice, OperationStep.EnsureContact());
        var held = Held(envelope, T0, messageId: "same");
        _groups.Hold(held);

        var again = HeldMessage.Read("same", "receipt-1", held.Text, T0, T0.AddMinutes(1));

        Assert.False(_groups.Hold(again));
        Assert.Equal(1, _groups.HeldMessages);
        Assert.Equal(("receipt-1", T0.AddMinutes(1)), (held.PopReceipt, held.HeldSince));
    }

    [Fact]
    public void Holds_of_started_and_waiting_messages_fall_due_at_half_time()
    {
        var hold = TimeSpan.FromMinutes(10);
        var running = Held(Envelope(Alice, OperationStep.EnsureContact()), T0, heldSince: T0);
        _groups.Hold(running);
        _groups.Start(10);
        var waiting = Held(Envelope(Bob, OperationStep.EnsureContact()), T0, heldSince: T0);
        var renewed = Held(Envelope(Carol, OperationStep.EnsureContact()), T0, heldSince: T0.AddMinutes(3));
        _groups.Hold(waiting);
        _groups.Hold(renewed);

        Assert.Empty(_groups.DueForRenewal(T0.AddMinutes(4), hold));
        Assert.Equal([running, waiting], _groups.DueForRenewal(T0.AddMinutes(5), hold).OrderBy(m => m.Arrival));
        Assert.Equal(3, _groups.DueForRenewal(T0.AddMinutes(8), hold).Count);
    }

    [Fact]
    public void A_lost_hold_drops_a_waiting_message_but_leaves_a_running_group_to_settle_its_own()
    {
        var running = Update(Alice, 1);
        _groups.Hold(running);
        _groups.Start(10);
        var lost = Update(Bob, 2);
        var kept = Update(Bob, 3);
        _groups.Hold(lost);
        _groups.Hold(kept);

        Assert.False(_groups.Forget(running));
        Assert.True(_groups.Forget(lost));

        Assert.Equal(2, _groups.HeldMessages);
        Assert.Equal([3], Values(Assert.Single(_groups.Start(10))));
    }

    [Fact]
    public void Forgetting_the_only_message_of_a_waiting_group_removes_the_group()
    {
        var lost = Update(Alice, 1);
        _groups.Hold(lost);

        _groups.Forget(lost);

        Assert.Equal((0, 0), (_groups.HeldMessages, _groups.WaitingGroups));
        Assert.Empty(_groups.Start(10));
    }

    [Fact]
    public void Releasing_hands_back_only_the_messages_whose_group_has_not_started()
    {
        _groups.Hold(Update(Alice, 1));
        var running = Assert.Single(_groups.Start(10));
        var behind = Update(Alice, 2);
        var other = Assign(Bob);
        _groups.Hold(behind);
        _groups.Hold(other);

        var released = _groups.ReleaseWaiting();

        Assert.Equal([behind, other], released);
        Assert.Equal((1, 0, 1), (_groups.HeldMessages, _groups.WaitingGroups, _groups.RunningGroups));
        _groups.Complete(running);
        Assert.Equal(0, _groups.HeldMessages);
    }
}
