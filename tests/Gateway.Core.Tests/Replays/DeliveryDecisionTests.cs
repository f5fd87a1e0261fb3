using Libromi.Gateway.Replays;
using Libromi.Gateway.Trail;

namespace Libromi.Gateway.Tests.Replays;

public sealed class DeliveryDecisionTests
{
    private const string Job = "0190a1b2c3d4e5f60718293a4b5c6d7e";

    private static LoggedDelivery Delivery(string verification = "verified", byte[]? body = null, bool truncated = false, string? replayJob = null) =>
        new(TrailKey.NewId(DateTimeOffset.UtcNow), "shop", DeliveryOutcomes.Invalid, verification, body ?? "{}"u8.ToArray(), truncated, "application/json", replayJob);

    [Fact]
    public void A_verified_delivery_with_its_whole_body_is_replayed()
    {
        Assert.Equal(DeliveryDecision.Replay, DeliveryReplayer.Decide(Delivery(), Job));
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("not_checked")]
    [InlineData("secret_unavailable")]
    public void A_delivery_that_was_not_verified_on_arrival_is_never_replayed(string verification)
    {
        Assert.Equal(ReplaySkipReasons.NotVerified, DeliveryReplayer.Decide(Delivery(verification), Job).SkipReason);
    }

    [Fact]
    public void A_cut_body_or_no_body_is_skipped_with_its_reason()
    {
        Assert.Equal(ReplaySkipReasons.BodyTruncated, DeliveryReplayer.Decide(Delivery(truncated: true), Job).SkipReason);
        Assert.Equal(ReplaySkipReasons.NoBody, DeliveryReplayer.Decide(Delivery() with { Body = null }, Job).SkipReason);
    }

    [Fact]
    public void A_delivery_this_job_replayed_already_counts_as_replayed_and_is_not_sent_again()
    {
        var decision = DeliveryReplayer.Decide(Delivery(replayJob: Job), Job);

        Assert.Same(DeliveryDecision.ReplayedByThisJob, decision);
        Assert.Null(decision.SkipReason);
    }

    [Fact]
    public void A_delivery_another_job_replayed_is_skipped()
    {
        Assert.Equal(ReplaySkipReasons.AlreadyReplayed, DeliveryReplayer.Decide(Delivery(replayJob: "0190ffffffffffffffffffffffffffff"), Job).SkipReason);
    }
}
