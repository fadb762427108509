using System.Diagnostics;
using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Sequencer;

/// <summary>
/// One partition's fenced lock, as one sequencer sees it (<see cref="SequencerWorker"/> runs one per partition). Standby
/// until it gets the lock (asking every <c>AcquireInterval</c>, at the moment the holder's lock runs out, and at once
/// when a leader announces its release), then leader: a watchdog extends the lock, and the sequence script is called
/// in a loop with this leader's token and epoch; when a call finds nothing to do, the leader blocks on the partition's
/// results stream until the next result arrives. The leader stops calling as soon as its lease lapses locally or the
/// script refuses it; on a graceful stop, or when it hands the partition over to even out the partitions
/// (<see cref="HandOver"/>), it releases the lock and announces it.
/// <para>
/// A sequencer that already leads its fair share of the partitions (<see cref="LeadershipShare"/>) waits one more
/// <c>AcquireInterval</c> before it asks for a free lock, so a sequencer below its share gets it first. Unpartitioned,
/// a standby leads nothing, so it never waits: exactly the single lock of before.
/// </para>
/// </summary>
public sealed partial class PartitionLeadership(
    SequencerStore store,
    BlockingConnection blocking,
    LeadershipShare share,
    SequencerIdentity identity,
    IOptions<SequencerOptions> options,
    SequencerMetrics metrics,
    TimeProvider time,
    ILogger<PartitionLeadership> logger) : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private CancellationTokenSource? _leadership;
    private long _leadingSince;
    private bool _blockingFailed;
    private volatile bool _handingOver;

    public SequencerStore Store => store;

    public int Partition => store.Keys.Partition;

    /// <summary>Whether this sequencer leads the partition now.</summary>
    public bool Leading => Volatile.Read(ref _leadership) is not null;

    /// <summary>How long this sequencer has led the partition (zero when it does not).</summary>
    public TimeSpan LeadingFor => Leading ? time.GetElapsedTime(Interlocked.Read(ref _leadingSince)) : TimeSpan.Zero;

    /// <summary>A leader announced its release of this partition's lock: ask for it now.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Lets go of the partition (release and announce), to be taken by a sequencer below its share.</summary>
    public void HandOver()
    {
        if (Volatile.Read(ref _leadership) is { } leadership)
        {
            _handingOver = true;
            try
            {
                leadership.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The leadership just ended on its own.
            }
        }
    }

    /// <summary>Competes for the partition's lock and leads it when it gets it, until <paramref name="stoppingToken"/>.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (share.AtOrAboveShare)
            {
                // Leading a fair share already: a sequencer below its share asks first.
                await Task.Delay(o.AcquireInterval, time, stoppingToken).ConfigureAwait(false);
            }

            long answer;
            var sentAt = time.GetTimestamp();
            try
            {
                answer = await store.TryAcquireAsync(identity.Token, o.LockTtl).WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("acquire", Partition, ex.Message);
                answer = -(long)o.AcquireInterval.TotalMilliseconds;
            }

            if (answer > 0)
            {
                await LeadAsync(new LeaderLease(time, o.LockTtl, o.ClockMargin, answer, sentAt), stoppingToken).ConfigureAwait(false);
                continue;
            }

            // Ask again the moment the holder's lock runs out (a dead leader is replaced within a millisecond or two
            // of its expiry, not up to a whole interval later), at the latest after AcquireInterval, or at once on a
            // release announced over Pub/Sub.
            var remaining = TimeSpan.FromMilliseconds(-answer) - time.GetElapsedTime(sentAt);
            var wait = remaining < o.AcquireInterval ? remaining : o.AcquireInterval;
            await _wake.WaitAsync(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task LeadAsync(LeaderLease lease, CancellationToken stoppingToken)
    {
        metrics.BecameLeader(Partition);
        LogLeader(identity.Token, Partition, lease.Epoch);
        using var leadership = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _handingOver = false;
        Interlocked.Exchange(ref _leadingSince, time.GetTimestamp());
        Volatile.Write(ref _leadership, leadership);
        share.Acquired();
        var watchdog = WatchdogAsync(lease, leadership);
        var backlog = BacklogLoopAsync(leadership.Token);
        try
        {
            await SequenceLoopAsync(lease, leadership.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leadership.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _leadership, null);
            await leadership.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            await backlog.ConfigureAwait(false);
            share.Released();
            metrics.LostLeadership(Partition);
        }

        if (stoppingToken.IsCancellationRequested || _handingOver)
        {
            try
            {
                var released = await store.ReleaseAsync(identity.Token).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    LogReleased(Partition, lease.Epoch, released);
                }
                else
                {
                    LogHandedOver(Partition, lease.Epoch, released);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("release", Partition, ex.Message);
            }
        }
        else
        {
            LogLostLeadership(Partition, lease.Epoch);
        }
    }

    private async Task SequenceLoopAsync(LeaderLease lease, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var gaps = new GapMonitor(time, o.GapWarningAfter);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!lease.IsValid)
            {
                LogLeaseLapsed(Partition, lease.Epoch);
                return;
            }

            var started = time.GetTimestamp();
            var now = time.GetUtcNow();
            SequenceBatch batch;
            try
            {
                batch = await store.SequenceAsync(identity.Token, lease.Epoch, o.ReadBatchSize, o.MaxPassPerCall, now, o.Retention)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("sequence", Partition, ex.Message);
                await Task.Delay(o.IdlePollInterval * 10, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (batch.Status != SequenceStatus.Ok)
            {
                metrics.Fenced();
                LogFenced(Partition, lease.Epoch, batch.Status);
                return;
            }

            metrics.Batch(batch, time.GetElapsedTime(started), time.GetUtcNow());
            TraceEmitted(batch, now);
            if (gaps.Observe(batch.NextSeq, batch.BufferDepth))
            {
                if (store.Keys.PerKey)
                {
                    LogKeyGap(Partition, gaps.Current.TotalSeconds, batch.BufferDepth);
                }
                else
                {
                    LogGap(Partition, batch.NextSeq, gaps.Current.TotalSeconds, batch.BufferDepth);
                }
            }

            metrics.Gap(gaps.Current, Partition);
            if (!batch.More && batch.Read == 0 && batch.Emitted + batch.Skipped == 0)
            {
                await WaitForResultsAsync(batch.Cursor, o, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Nothing to do: block until a result arrives after the cursor (or <c>IdleWait</c> passes) on the connection kept
    /// for blocking commands, then call the fenced sequence script again. If that connection fails, poll instead.
    /// </summary>
    private async Task WaitForResultsAsync(string cursor, SequencerOptions o, CancellationToken cancellationToken)
    {
        try
        {
            var database = await blocking.DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            await BlockingReads.WaitForStreamAsync(database, store.Keys.Results, cursor, o.IdleWait).WaitAsync(cancellationToken).ConfigureAwait(false);
            _blockingFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_blockingFailed)
            {
                _blockingFailed = true;
                LogBlockingWaitFailed(ex.Message, o.IdlePollInterval.TotalMilliseconds);
            }

            await Task.Delay(o.IdlePollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>While leading: reads where the pipeline's messages are every <c>BacklogInterval</c>, for the backlog
    /// gauges (one read-only script call; a failed read reports nothing rather than an old figure).</summary>
    private async Task BacklogLoopAsync(CancellationToken leading)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogInterval, time);
        try
        {
            do
            {
                try
                {
                    metrics.Backlog(await store.BacklogAsync().WaitAsync(leading).ConfigureAwait(false), Partition);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    metrics.Backlog(null, Partition);
                }
            }
            while (await timer.WaitForNextTickAsync(leading).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
    }

    private async Task WatchdogAsync(LeaderLease lease, CancellationTokenSource leadership)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.RenewInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(leadership.Token).ConfigureAwait(false))
            {
                var sentAt = time.GetTimestamp();
                try
                {
                    var renewTimeout = lease.Remaining;
                    if (renewTimeout <= TimeSpan.Zero)
                    {
                        renewTimeout = TimeSpan.FromMilliseconds(1);
                    }

                    if (!await store.ExtendAsync(identity.Token, o.LockTtl).WaitAsync(renewTimeout, leadership.Token).ConfigureAwait(false))
                    {
                        LogLockTaken(Partition, lease.Epoch);
                        await leadership.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    lease.Renewed(sentAt);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    metrics.RenewalMissed();
                    LogRenewalMissed(Partition, lease.Epoch, ex.Message);
                    if (!lease.IsValid)
                    {
                        await leadership.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (leadership.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A <c>sequence {seq}</c> span for each emitted message whose process span was sampled (its trace context says
    /// so): it continues that trace. Messages that were not sampled cost nothing here.
    /// </summary>
    private static void TraceEmitted(SequenceBatch batch, DateTimeOffset started)
    {
        if (!SequencerTelemetry.Source.HasListeners())
        {
            return;
        }

        foreach (var result in batch.EmittedResults)
        {
            if (result.TraceParent.Length == 0 || !ActivityContext.TryParse(result.TraceParent, null, out var parent)
                || (parent.TraceFlags & ActivityTraceFlags.Recorded) == 0)
            {
                continue;
            }

            using var activity = SequencerTelemetry.Source.StartActivity(
                result.Key is null ? $"sequence {result.Seq}" : $"sequence {result.Key}#{result.Seq}", ActivityKind.Producer, parent, startTime: started);
            activity?.SetTag("messaging.system", "redis");
            activity?.SetTag("messaging.message.id", result.Seq);
            if (result.Key is not null)
            {
                activity?.SetTag("messaging.message.key", result.Key);
            }
        }
    }

    public void Dispose() => _wake.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sequencer {Token} is the leader of partition {Partition} with epoch {Epoch}")]
    private partial void LogLeader(string token, int partition, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the lock of partition {Partition}, epoch {Epoch}, on stop (held: {Released})")]
    private partial void LogReleased(int partition, long epoch, bool released);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed partition {Partition} (epoch {Epoch}) over to a sequencer below its share (held: {Released})")]
    private partial void LogHandedOver(int partition, long epoch, bool released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the leadership of partition {Partition}, epoch {Epoch}; standing by")]
    private partial void LogLostLeadership(int partition, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of partition {Partition}, epoch {Epoch}, lapsed before it could be renewed; stopped emitting")]
    private partial void LogLeaseLapsed(int partition, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sequence script refused partition {Partition}, epoch {Epoch}: {Status}")]
    private partial void LogFenced(int partition, long epoch, SequenceStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock of partition {Partition}, epoch {Epoch}, is held by another sequencer")]
    private partial void LogLockTaken(int partition, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lock renewal for partition {Partition}, epoch {Epoch}, missed: {Error}")]
    private partial void LogRenewalMissed(int partition, long epoch, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: no key has advanced for {Seconds:0.0} s while {Waiting} later results wait (a key's next seq is missing)")]
    private partial void LogKeyGap(int partition, double seconds, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: seq {NextSeq} has been missing for {Seconds:0.0} s while {Waiting} later results wait")]
    private partial void LogGap(int partition, long nextSeq, double seconds, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for results on the blocking connection failed ({Error}); polling every {PollMs} ms until it works again")]
    private partial void LogBlockingWaitFailed(string error, double pollMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis call '{Call}' for partition {Partition} failed: {Error}")]
    private partial void LogRedisFailed(string call, int partition, string error);
}
