using CsCheck;

namespace QueueLab.Rabbit.Tests;

/// <summary>
/// The ack window against a model of the broker's rules for one channel: an ack names a delivery that is still unacked,
/// a multiple ack acks every unacked delivery up to its tag, and none of those may be one whose handling has not asked
/// for an ack (still in handling, or being nacked). Frames are written when the window sends them and finish when the
/// test lets them, so acks become ready while a frame is in flight.
/// </summary>
public sealed class AckWindowTests
{
    [Fact]
    public void Deliveries_that_finish_together_in_order_go_in_one_multiple_ack()
    {
        var (broker, window) = Open(1, 2, 3, 4);

        broker.Gate = true;
        var first = Ack(broker, window, 1);
        var rest = new[] { Ack(broker, window, 2), Ack(broker, window, 3), Ack(broker, window, 4) };
        broker.ReleaseAll();

        broker.Frames.ShouldBe([(1ul, false), (4ul, true)], "the first ack goes alone; the three that were ready while it was written share one frame");
        first.IsCompletedSuccessfully.ShouldBeTrue();
        rest.ShouldAllBe(t => t.IsCompletedSuccessfully);
        window.Acked.ShouldBe(4);
        window.Frames.ShouldBe(2);
    }

    [Fact]
    public void A_delivery_still_in_handling_is_never_passed_and_never_holds_the_others_back()
    {
        var (broker, window) = Open(1, 2, 3);

        var acks = new[] { Ack(broker, window, 2), Ack(broker, window, 3) };

        acks.ShouldAllBe(t => t.IsCompletedSuccessfully, "acked at once, one frame each, while 1 is still being handled");
        broker.Frames.ShouldBe([(2ul, false), (3ul, false)]);
        broker.Unacked.ShouldBe([1ul]);
    }

    [Fact]
    public void A_nacked_delivery_leaves_the_window_only_after_its_nack_is_written()
    {
        var (broker, window) = Open(1, 2, 3);

        broker.Gate = true;
        _ = Ack(broker, window, 1);
        _ = Ack(broker, window, 3);
        broker.Nack(2);
        window.Settled(2);
        broker.ReleaseAll();

        broker.Unacked.ShouldBeEmpty();
        broker.Nacked.ShouldBe([2ul]);
    }

    [Fact]
    public void A_frame_that_cannot_be_written_fails_its_acks_and_leaves_them_unacked_in_handling()
    {
        var window = new AckWindow((_, _) => ValueTask.FromException(new InvalidOperationException("channel closed")), yieldBeforeFlush: false);
        window.Received(1);
        window.Received(2);

        var ack = window.AckAsync(2);

        ack.IsFaulted.ShouldBeTrue();
        window.Acked.ShouldBe(0);
        window.AckAsync(2).Exception!.InnerException!.Message.ShouldBe("channel closed", "its handler may ack it again (the window takes it; the frame fails again)");
    }

    [Fact]
    public void Acking_a_delivery_the_window_is_not_handling_is_refused()
    {
        var window = new AckWindow((_, _) => ValueTask.CompletedTask, yieldBeforeFlush: false);
        window.Received(1);
        _ = window.AckAsync(1);

        Should.Throw<InvalidOperationException>(() => window.AckAsync(1));
        Should.Throw<InvalidOperationException>(() => window.AckAsync(7));
    }

    [Fact]
    public void A_late_lower_tag_is_held_in_handling_and_counted()
    {
        var (broker, window) = Open(5, 4, 6);

        _ = Ack(broker, window, 5);
        _ = Ack(broker, window, 6);

        window.OutOfOrder.ShouldBe(1);
        broker.Unacked.ShouldBe([4ul], "no multiple ack passed the late delivery");
    }

    [Fact]
    public async Task With_the_yielding_flush_acks_made_ready_during_a_write_share_the_next_frame()
    {
        var frames = new List<(ulong Tag, bool Multiple)>();
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counted = 0;
        var window = new AckWindow((tag, multiple) =>
        {
            lock (frames)
            {
                frames.Add((tag, multiple));
                return frames.Count == 1 ? new ValueTask(firstWrite.Task) : ValueTask.CompletedTask;
            }
        }, covered => Interlocked.Add(ref counted, covered));
        for (ulong tag = 1; tag <= 200; tag++)
        {
            window.Received(tag);
        }

        var acks = Enumerable.Range(1, 200).Select(tag => window.AckAsync((ulong)tag)).ToList();
        firstWrite.SetResult();
        await Task.WhenAll(acks).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        counted.ShouldBe(200);
        window.Acked.ShouldBe(200);
        frames.Count.ShouldBeLessThanOrEqualTo(2, "what the first frame did not take was ready before it was written, and goes in one multiple ack");
        frames[^1].ShouldBe((200ul, true));
    }

    /// <summary>Any interleaving of deliveries, acks, nacks and frame writes keeps the broker's rules and ends with every
    /// delivery acked or nacked once and every ack's task completed.</summary>
    [Fact]
    public void Every_interleaving_keeps_the_brokers_rules_and_settles_every_delivery()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[0, 99].Array[0, 400], Gen.Bool.Array[40])
            .Sample((count, choices, nacks) => Run(count, choices, nacks), iter: 2000);
    }

    /// <summary>A step-by-step window over a broker model that has delivered <paramref name="tags"/>, all in handling.</summary>
    private static (Broker Broker, AckWindow Window) Open(params ulong[] tags)
    {
        var broker = new Broker(gated: false);
        var window = new AckWindow(broker.Send, yieldBeforeFlush: false);
        foreach (var tag in tags)
        {
            broker.Deliver(tag);
            window.Received(tag);
        }

        return (broker, window);
    }

    private static Task Ack(Broker broker, AckWindow window, ulong tag)
    {
        broker.Requested(tag);
        return window.AckAsync(tag);
    }

    private static void Run(int count, int[] choices, bool[] nacks)
    {
        var broker = new Broker(gated: true);
        var window = new AckWindow(broker.Send, yieldBeforeFlush: false);
        var handling = new List<ulong>();
        var acks = new List<Task>();
        ulong next = 1;
        foreach (var choice in choices.Concat(Enumerable.Repeat(50, 4 * count)))
        {
            if (choice < 30 && next <= (ulong)count)
            {
                broker.Deliver(next);
                window.Received(next);
                handling.Add(next++);
            }
            else if (choice < 80 && handling.Count > 0)
            {
                var tag = handling[choice % handling.Count];
                handling.Remove(tag);
                if (nacks[(int)(tag - 1) % nacks.Length])
                {
                    broker.Nack(tag);
                    window.Settled(tag);
                }
                else
                {
                    broker.Requested(tag);
                    acks.Add(window.AckAsync(tag));
                }
            }
            else
            {
                broker.ReleaseOne();
            }

            if (next > (ulong)count && handling.Count == 0)
            {
                break;
            }
        }

        while (next <= (ulong)count || handling.Count > 0)
        {
            if (next <= (ulong)count)
            {
                broker.Deliver(next);
                window.Received(next);
                handling.Add(next++);
            }

            var tag = handling[0];
            handling.RemoveAt(0);
            broker.Requested(tag);
            acks.Add(window.AckAsync(tag));
        }

        broker.ReleaseAll();
        broker.Unacked.ShouldBeEmpty();
        acks.ShouldAllBe(t => t.IsCompletedSuccessfully);
        window.Acked.ShouldBe(acks.Count);
        window.Frames.ShouldBeLessThanOrEqualTo(acks.Count);
    }

    /// <summary>One channel's deliveries as the broker tracks them; throws where the broker would close the channel.</summary>
    private sealed class Broker(bool gated)
    {
        private readonly SortedSet<ulong> _unacked = [];
        private readonly HashSet<ulong> _requested = [];
        private readonly Queue<TaskCompletionSource> _writing = new();

        public bool Gate { get; set; } = gated;

        public List<(ulong Tag, bool Multiple)> Frames { get; } = [];

        public List<ulong> Nacked { get; } = [];

        public IReadOnlyCollection<ulong> Unacked => _unacked;

        public void Deliver(ulong tag) => _unacked.Add(tag);

        /// <summary>The handler of <paramref name="tag"/> asked for its ack.</summary>
        public void Requested(ulong tag) => _requested.Add(tag);

        public void Nack(ulong tag)
        {
            _unacked.Remove(tag).ShouldBeTrue($"nack of {tag}: unknown delivery tag");
            Nacked.Add(tag);
        }

        public ValueTask Send(ulong tag, bool multiple)
        {
            Frames.Add((tag, multiple));
            _unacked.Contains(tag).ShouldBeTrue($"ack of {tag}: unknown delivery tag");
            var covered = multiple ? _unacked.Where(t => t <= tag).ToList() : [tag];
            foreach (var t in covered)
            {
                _requested.Contains(t).ShouldBeTrue($"the ack of {tag} (multiple {multiple}) acked {t}, whose handling had not asked for it");
                _unacked.Remove(t);
            }

            if (!Gate)
            {
                return ValueTask.CompletedTask;
            }

            var written = new TaskCompletionSource();
            _writing.Enqueue(written);
            return new ValueTask(written.Task);
        }

        public void ReleaseOne()
        {
            if (_writing.TryDequeue(out var written))
            {
                written.SetResult();
            }
        }

        public void ReleaseAll()
        {
            while (_writing.Count > 0)
            {
                ReleaseOne();
            }
        }
    }
}
