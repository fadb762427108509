using QueueLab.Ordering.Options;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class OptionsValidationTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        new SequencerOptionsValidator().Validate(null, new SequencerOptions()).Succeeded.ShouldBeTrue();
        new ProcessorOptionsValidator().Validate(null, new ProcessorOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void A_lock_ttl_not_above_twice_the_renew_interval_is_refused_with_what_to_change()
    {
        var result = new SequencerOptionsValidator().Validate(null,
            new SequencerOptions { LockTtl = TimeSpan.FromMilliseconds(500), RenewInterval = TimeSpan.FromMilliseconds(300) });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("LockTtl");
        result.FailureMessage.ShouldContain("RenewInterval");
    }

    [Fact]
    public void A_standby_retry_interval_not_below_the_lock_ttl_is_refused()
    {
        var result = new SequencerOptionsValidator().Validate(null, new SequencerOptions { AcquireInterval = TimeSpan.FromSeconds(2) });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("AcquireInterval");
    }

    [Fact]
    public void A_heartbeat_renewed_less_than_twice_per_ttl_is_refused()
    {
        var result = new ProcessorOptionsValidator().Validate(null,
            new ProcessorOptions { HeartbeatTtl = TimeSpan.FromMilliseconds(400), HeartbeatInterval = TimeSpan.FromMilliseconds(300) });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("HeartbeatInterval");
    }

    [Fact]
    public void A_key_prefix_ending_in_a_colon_is_refused()
    {
        new ProcessorOptionsValidator().Validate(null, new ProcessorOptions { KeyPrefix = "lab:" }).Failed.ShouldBeTrue();
        new SequencerOptionsValidator().Validate(null, new SequencerOptions { KeyPrefix = "lab:" }).Failed.ShouldBeTrue();
    }
}
