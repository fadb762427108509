namespace QueueLab.Rabbit;

/// <summary>
/// A consumer's acks on one channel, sent in as few frames as the broker's rules allow. <c>basic.ack</c> with
/// <c>multiple</c> acks every delivery of the channel up to its tag that is still unacked, so it may only be sent for a
/// tag below every delivery whose handling has not ended: one still being processed, or one whose nack or reject has
/// not been written yet, would be acked with the others and lost. The window keeps that line:
/// <list type="bullet">
/// <item><see cref="Received"/> registers each delivery before its handling starts, in tag order (the consumer
/// dispatches one delivery at a time, so no tag below a registered one can still be unregistered);</item>
/// <item><see cref="AckAsync"/> completes once a frame that acks the delivery has been written. Each flush acks the
/// ready deliveries below the lowest one still in handling with one multiple ack (of the highest of them, itself
/// unacked, as the broker requires) and any ready one above it on its own at once, so one slow delivery (a long retry
/// wait) never holds the others' acks back nor fills the prefetch window;</item>
/// <item><see cref="Settled"/> takes a delivery out once its nack or reject is written (or its channel is gone).</item>
/// </list>
/// Flushes run one at a time, as <see cref="QueueLab.Concurrency.MicroBatcher{TItem, TResult}"/> does: acks that become
/// ready while a frame is being written share the next one. Writing a frame seldom waits (the client queues it), so a
/// flush first yields once: the handlers a batch of stores or key releases wakes together all reach the window before
/// it looks. A window belongs to one channel session: after a channel
/// recovers, its deliveries start a new window, and the old window's handlings end against the old one.
/// </summary>
/// <param name="sendAck">Writes <c>basic.ack</c> for a tag, multiple or not.</param>
/// <param name="written">Told how many deliveries each written frame acked (for metrics).</param>
/// <param name="yieldBeforeFlush">Whether a flush yields before it looks (off only in tests that drive it step by step).</param>
public sealed class AckWindow(Func<ulong, bool, ValueTask> sendAck, Action<int>? written = null, bool yieldBeforeFlush = true)
{
    private readonly Lock _gate = new();
    private readonly SortedSet<ulong> _handling = [];
    private readonly SortedDictionary<ulong, TaskCompletionSource> _ready = [];
    private ulong _lastReceived;
    private long _outOfOrder;
    private int _flushing;
    private long _acked;
    private long _frames;

    /// <summary>Deliveries acked through this window.</summary>
    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>Ack frames written for them.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Registers a delivery whose handling starts now. Tags must arrive in increasing order for a multiple ack
    /// to be safe; one that does not (a delivery of the channel's previous session, dispatched late) is still held in
    /// handling, so no later multiple ack passes it, and is counted in <see cref="OutOfOrder"/>.</summary>
    public void Received(ulong deliveryTag)
    {
        lock (_gate)
        {
            if (deliveryTag <= _lastReceived)
            {
                _outOfOrder++;
            }

            _lastReceived = Math.Max(_lastReceived, deliveryTag);
            _handling.Add(deliveryTag);
        }
    }

    /// <summary>Deliveries registered below a tag registered before them.</summary>
    public long OutOfOrder
    {
        get
        {
            lock (_gate)
            {
                return _outOfOrder;
            }
        }
    }

    /// <summary>The delivery left without an ack: its nack or reject has been written, or its channel is gone.</summary>
    public void Settled(ulong deliveryTag)
    {
        lock (_gate)
        {
            _handling.Remove(deliveryTag);
        }

        // Ready acks above it may now go together with the ones below.
        StartFlush();
    }

    /// <summary>Acks the delivery; completes when a frame that acks it is written, or fails with that frame's error.</summary>
    public Task AckAsync(ulong deliveryTag)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!_handling.Remove(deliveryTag))
            {
                throw new InvalidOperationException($"Delivery tag {deliveryTag} is not being handled in this window (never received, or already acked or settled).");
            }

            _ready.Add(deliveryTag, written);
        }

        StartFlush();
        return written.Task;
    }

    private void StartFlush()
    {
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            _ = FlushAsync();
        }
    }

    private async Task FlushAsync()
    {
        if (yieldBeforeFlush)
        {
            await Task.Yield();
        }

        while (true)
        {
            while (TakeFrames() is { Count: > 0 } frames)
            {
                foreach (var frame in frames)
                {
                    try
                    {
                        await sendAck(frame.Tag, frame.Covered.Count > 1).ConfigureAwait(false);
                        Interlocked.Add(ref _acked, frame.Covered.Count);
                        Interlocked.Increment(ref _frames);
                        written?.Invoke(frame.Covered.Count);
                        frame.Covered.ForEach(c => c.Written.TrySetResult());
                    }
                    catch (Exception ex)
                    {
                        // Not written (the channel is closing, as a rule): the deliveries are unacked, so they are in
                        // handling again until their handlers, which get the error, ack, nack or give them up.
                        lock (_gate)
                        {
                            frame.Covered.ForEach(c => _handling.Add(c.Tag));
                        }

                        frame.Covered.ForEach(c => c.Written.TrySetException(ex));
                    }
                }
            }

            Volatile.Write(ref _flushing, 0);

            // An ack made ready after the last look and before the flag was cleared would wait for the next caller:
            // take the flush back unless someone else already has.
            bool pending;
            lock (_gate)
            {
                pending = _ready.Count > 0;
            }

            if (!pending || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>The frames for every ready ack: one multiple ack for those below the lowest delivery still in handling,
    /// then one frame each for those above it.</summary>
    private List<(ulong Tag, List<(ulong Tag, TaskCompletionSource Written)> Covered)> TakeFrames()
    {
        lock (_gate)
        {
            var frames = new List<(ulong Tag, List<(ulong Tag, TaskCompletionSource Written)> Covered)>();
            if (_ready.Count == 0)
            {
                return frames;
            }

            var lowestHandling = _handling.Count > 0 ? _handling.Min : ulong.MaxValue;
            List<(ulong Tag, TaskCompletionSource Written)>? below = null;
            ulong belowTag = 0;
            foreach (var (tag, written) in _ready)
            {
                if (tag < lowestHandling)
                {
                    (below ??= []).Add((tag, written));
                    belowTag = tag;
                }
                else
                {
                    frames.Add((tag, [(tag, written)]));
                }
            }

            _ready.Clear();
            if (below is not null)
            {
                frames.Insert(0, (belowTag, below));
            }

            return frames;
        }
    }
}
