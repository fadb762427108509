using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Shouldly;

namespace QueueLab.Concurrency.Tests;

public sealed class PreciseDelayTests
{
    /// <summary>A timer that fires early must not make the work shorter: the delay waits out what is left.</summary>
    [Fact]
    public async Task A_timer_that_fires_early_is_waited_out_to_the_full_duration()
    {
        var time = new EarlyTimerTimeProvider(early: TimeSpan.FromMilliseconds(3));

        var waited = PreciseDelay.DelayAsync(time, TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        for (var i = 0; i < 10 && !waited.IsCompleted; i++)
        {
            time.FireDueTimers();
        }

        (await waited).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(20));
        time.Timers.ShouldBeGreaterThan(1, "the first timer came early, so a second one waited out the rest");
    }

    [Fact]
    public async Task On_the_real_clock_it_never_ends_early()
    {
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var waited = await PreciseDelay.DelayAsync(TimeProvider.System, TimeSpan.FromMilliseconds(7), TestContext.Current.CancellationToken);
            clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(7));
            waited.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(7));
        }
    }

    [Fact]
    public async Task Zero_returns_at_once_and_cancellation_ends_the_wait()
    {
        (await PreciseDelay.DelayAsync(TimeProvider.System, TimeSpan.Zero, TestContext.Current.CancellationToken)).ShouldBeLessThan(TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource();
        var waiting = PreciseDelay.DelayAsync(new FakeTimeProvider(), TimeSpan.FromHours(1), cancel.Token);
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(waiting);
    }

    /// <summary>A clock whose timers fire <c>early</c> before their due time, as a coarse timer tick can.</summary>
    private sealed class EarlyTimerTimeProvider(TimeSpan early) : TimeProvider
    {
        private readonly FakeTimeProvider _clock = new();
        private readonly List<(TimeSpan Due, TimerCallback Callback, object? State)> _pending = [];

        public int Timers { get; private set; }

        public override long TimestampFrequency => _clock.TimestampFrequency;

        public override long GetTimestamp() => _clock.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Timers++;
            lock (_pending)
            {
                _pending.Add((dueTime, callback, state));
            }

            return _clock.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>Advances the clock to each pending timer's due time minus <c>early</c> and fires it.</summary>
        public void FireDueTimers()
        {
            List<(TimeSpan Due, TimerCallback Callback, object? State)> due;
            lock (_pending)
            {
                due = [.. _pending];
                _pending.Clear();
            }

            foreach (var (dueTime, callback, state) in due)
            {
                var advance = dueTime - early;
                _clock.Advance(advance > TimeSpan.Zero ? advance : TimeSpan.FromMilliseconds(1));
                callback(state);
            }
        }
    }
}
