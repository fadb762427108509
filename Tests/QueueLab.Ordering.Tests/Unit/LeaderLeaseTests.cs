using Microsoft.Extensions.Time.Testing;
using QueueLab.Sequencer;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class LeaderLeaseTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_lease_lapses_before_the_lock_can_expire_in_redis_counting_from_when_the_acquire_was_sent()
    {
        var sentAt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(50)); // the acquiring call's round trip
        var lease = new LeaderLease(_time, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), epoch: 3, acquiredAt: sentAt);

        lease.Epoch.ShouldBe(3);
        _time.Advance(TimeSpan.FromMilliseconds(849));
        lease.IsValid.ShouldBeTrue();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        lease.IsValid.ShouldBeFalse();
    }

    [Fact]
    public void A_renewal_counts_from_when_it_was_sent_not_when_it_was_confirmed()
    {
        var lease = new LeaderLease(_time, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), epoch: 1, acquiredAt: _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var sentAt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(200)); // a slow reply

        lease.Renewed(sentAt);

        _time.Advance(TimeSpan.FromMilliseconds(699));
        lease.IsValid.ShouldBeTrue();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        lease.IsValid.ShouldBeFalse();
        lease.Remaining.ShouldBeLessThanOrEqualTo(TimeSpan.Zero);
    }
}
