using Microsoft.Extensions.Time.Testing;
using QueueLab.Sequencer;
using Shouldly;

namespace QueueLab.Ordering.Tests.Unit;

public sealed class GapMonitorTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_missing_seq_with_later_results_waiting_warns_once_after_the_threshold()
    {
        var monitor = new GapMonitor(_time, TimeSpan.FromSeconds(5));

        monitor.Observe(nextSeq: 7, bufferDepth: 3).ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(4));
        monitor.Observe(7, 3).ShouldBeFalse();
        monitor.Current.ShouldBe(TimeSpan.FromSeconds(4));
        _time.Advance(TimeSpan.FromSeconds(1));
        monitor.Observe(7, 4).ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(1));
        monitor.Observe(7, 4).ShouldBeFalse("one warning per gap");
        monitor.Current.ShouldBe(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void Progress_or_an_empty_buffer_ends_the_gap()
    {
        var monitor = new GapMonitor(_time, TimeSpan.FromSeconds(5));
        monitor.Observe(7, 3);
        _time.Advance(TimeSpan.FromSeconds(10));

        monitor.Observe(8, 2).ShouldBeFalse();
        monitor.Current.ShouldBe(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(10));
        monitor.Observe(8, 0).ShouldBeFalse("nothing waits, so nothing is missing");
        monitor.Current.ShouldBe(TimeSpan.Zero);
    }
}
