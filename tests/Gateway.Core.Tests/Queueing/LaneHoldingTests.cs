using Libromi.Gateway.Queueing;
using static Libromi.Gateway.Tests.Queueing.HeldMessages;

namespace Libromi.Gateway.Tests.Queueing;

public sealed class LaneHoldingTests
{
    private const int BatchSize = 16;
    private const int NewBatchThreshold = 8;
    private readonly LaneHolding _lane = new(BatchSize, NewBatchThreshold, maxHeldMessages: 64);

    [Fact]
    public void A_trickle_starts_at_once()
    {
        Assert.True(_lane.WantsMessages);

        _lane.Received(2, [Update(Alice, 1), Update(Bob, 2)]);

        Assert.False(_lane.IsReadingDeep);
        Assert.Equal(2, _lane.StartGroups().Count);
    }

    [Fact]
    public void A_full_receive_of_updates_reads_on_until_the_lane_holds_its_bound()
    {
        var receives = 0;
        do
        {
            _lane.Received(BatchSize, Batch(BatchSize, receives));
            receives++;
        }
        while (_lane.IsReadingDeep);

        Assert.Equal(4, receives);
        Assert.Equal(64, _lane.Groups.HeldMessages);
        Assert.False(_lane.WantsMessages);
    }

    [Fact]
    public void Updates_read_deep_meet_their_contacts_group_before_it_starts()
    {
        _lane.Received(BatchSize, Batch(BatchSize, 0));
        _lane.Received(BatchSize, Batch(BatchSize, 1));
        _lane.Received(3, Batch(3, 2));

        var started = _lane.StartGroups();

        Assert.Equal(BatchSize, started.Count);
        Assert.Equal([0, 1, 2], Values(started[0]));
        Assert.Equal([0, 1], Values(started[3]));
    }

    [Fact]
    public void A_full_receive_that_cannot_merge_is_not_read_deeper()
    {
        _lane.Received(BatchSize, [.. Enumerable.Range(0, BatchSize).Select(_ => PackedImport(Alice, Bob))]);

        Assert.False(_lane.IsReadingDeep);
        Assert.Equal(BatchSize, _lane.StartGroups().Count);
        Assert.False(_lane.WantsMessages);
    }

    [Fact]
    public void At_most_batch_size_plus_threshold_groups_run_and_the_rest_wait_for_a_slot()
    {
        _lane.Received(BatchSize, Batch(BatchSize, 0, contacts: 40));
        _lane.Received(BatchSize, Batch(BatchSize, 1, contacts: 40, offset: BatchSize));
        _lane.Received(8, Batch(8, 2, contacts: 40, offset: 2 * BatchSize));

        Assert.Equal(BatchSize + NewBatchThreshold, _lane.StartGroups().Count);
        Assert.Empty(_lane.StartGroups());
        Assert.Equal(40 - BatchSize - NewBatchThreshold, _lane.Groups.WaitingGroups);
    }

    [Fact]
    public void A_new_batch_is_wanted_once_running_groups_drop_to_the_threshold_and_nothing_waits()
    {
        _lane.Received(9, Batch(9, 0, contacts: 9));
        var running = _lane.StartGroups();
        Assert.False(_lane.HasRoom);
        Assert.False(_lane.WantsMessages);

        _lane.Groups.Complete(running[0]);

        Assert.True(_lane.HasRoom);
        Assert.True(_lane.WantsMessages);
    }

    [Fact]
    public void Messages_too_many_for_the_bound_stop_the_lane_receiving_even_with_room()
    {
        var lane = new LaneHolding(BatchSize, NewBatchThreshold, maxHeldMessages: BatchSize + NewBatchThreshold);
        lane.Received(BatchSize, Batch(BatchSize, 0, contacts: 1));
        lane.StartGroups();

        Assert.True(lane.HasRoom);
        Assert.False(lane.WantsMessages);
    }

    /// <summary>
    /// One receive of a round-robin burst: message <c>i</c> updates contact <c>(offset + i) % contacts</c> to
    /// <paramref name="round"/>.
    /// </summary>
    private static HeldMessage[] Batch(int count, int round, int contacts = BatchSize, int offset = 0) =>
        [.. Enumerable.Range(offset, count).Select(i => Update($"49151000{i % contacts:00000}", round))];
}
