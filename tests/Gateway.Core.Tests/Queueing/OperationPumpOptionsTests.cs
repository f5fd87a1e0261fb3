using System.ComponentModel.DataAnnotations;
using Libromi.Gateway.Queueing;

namespace Libromi.Gateway.Tests.Queueing;

/// <summary>The checks <c>ValidateDataAnnotations</c> runs on the <c>Queues</c> section at start-up.</summary>
public sealed class OperationPumpOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(Validate(new OperationPumpOptions()));
    }

    [Fact]
    public void A_held_bound_below_what_the_trigger_keeps_in_flight_is_refused()
    {
        var errors = Validate(new OperationPumpOptions { BatchSize = 16, NewBatchThreshold = 8, MaxHeldMessages = 20 });

        Assert.Contains(nameof(OperationPumpOptions.MaxHeldMessages), Assert.Single(errors).MemberNames);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    public void A_held_bound_outside_its_range_is_refused(int maxHeldMessages)
    {
        var errors = Validate(new OperationPumpOptions { BatchSize = 1, NewBatchThreshold = 0, MaxHeldMessages = maxHeldMessages });

        Assert.Contains(errors, error => error.MemberNames.Contains(nameof(OperationPumpOptions.MaxHeldMessages)));
    }

    [Fact]
    public void A_hold_under_a_second_is_refused_because_it_is_renewed_at_half_time()
    {
        var errors = Validate(new OperationPumpOptions { MessageHold = TimeSpan.FromMilliseconds(500) });

        Assert.Contains(nameof(OperationPumpOptions.MessageHold), Assert.Single(errors).MemberNames);
    }

    private static List<ValidationResult> Validate(OperationPumpOptions options)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return errors;
    }
}
