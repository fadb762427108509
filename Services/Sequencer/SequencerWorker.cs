using System.Diagnostics;
using Microsoft.Extensions.Options;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Sequencer;

/// <summary>
/// Standby until it gets the lock (asking every <c>AcquireInterval</c>, and at once when a leader announces its
/// release), then leader: a watchdog extends the lock, and the sequence script is called in a loop with this
/// leader's token and epoch; when a call finds nothing to do, the leader blocks on the results stream until the next
/// result arrives. The leader stops calling as soon as its lease lapses locally or the script refuses
/// it; on a graceful stop it releases the lock and announces it.
/// </summary>
public sealed partial class SequencerWorker(
    SequencerStore store,
    IConnectionMultiplexer redis,
    BlockingConnection blocking,
    SequencerIdentity identity,
    IOptions<SequencerOptions> options,
    SequencerMetrics metrics,
    SequencerReadiness readiness,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SequencerWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private bool _blockingFailed;

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // Hand over as soon as the host begins to stop (ApplicationStopping fires before any hosted service is stopped),
        // not after the web server has drained its connections: a graceful stop of the leader must not make the
        // standby wait (measured by the chaos suite's graceful-stop scenario).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        var o = options.Value;
        var subscriber = redis.GetSubscriber();
        var presence = Task.CompletedTask;
        try
        {
            await SubscribeAsync(subscriber, stoppingToken).ConfigureAwait(false);
            await WarmUpAsync(stoppingToken).ConfigureAwait(false);
            readiness.MarkReady();
            presence = AnnounceAsync(stoppingToken);
            LogStandby(identity.Token);
            while (!stoppingToken.IsCancellationRequested)
            {
                long answer;
                var sentAt = time.GetTimestamp();
                try
                {
                    answer = await store.TryAcquireAsync(identity.Token, o.LockTtl).WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    LogRedisFailed("acquire", ex.Message);
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await presence.ConfigureAwait(false);
            try
            {
                await store.WithdrawAsync(identity.Token).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("withdraw", ex.Message);
            }

            try
            {
                await subscriber.UnsubscribeAsync(store.Keys.SequencerReleased).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("unsubscribe", ex.Message);
            }
        }
    }

    /// <summary>
    /// A standby runs the sequence script once with a token that cannot hold the lock (it is refused without touching
    /// anything), so the script is cached in Redis and the call path is compiled before a failover needs it.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            await store.SequenceAsync($"warm-up:{identity.Token}", 0, 1, 1, time.GetUtcNow(), o.Retention)
                .WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisFailed("warm-up", ex.Message);
        }
    }

    /// <summary>Every second, says in <c>sequencers</c> that this process is up and ready to lead for the next three
    /// seconds (a standby as much as the leader): how many could take over is there to read, for the dashboard and for
    /// a test that must not fail a leader over to a process that is still starting.</summary>
    private async Task AnnounceAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            do
            {
                try
                {
                    var now = time.GetUtcNow();
                    await store.AnnounceAsync(identity.Token, now + TimeSpan.FromSeconds(3), now).WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    LogRedisFailed("announce", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SubscribeAsync(ISubscriber subscriber, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await subscriber.SubscribeAsync(store.Keys.SequencerReleased, (_, _) => Wake()).WaitAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("subscribe", ex.Message);
                await Task.Delay(options.Value.AcquireInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Wake()
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

    private async Task LeadAsync(LeaderLease lease, CancellationToken stoppingToken)
    {
        metrics.BecameLeader();
        LogLeader(identity.Token, lease.Epoch);
        using var leadership = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
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
            await leadership.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            await backlog.ConfigureAwait(false);
            metrics.LostLeadership();
        }

        if (stoppingToken.IsCancellationRequested)
        {
            try
            {
                var released = await store.ReleaseAsync(identity.Token).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                LogReleased(lease.Epoch, released);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("release", ex.Message);
            }
        }
        else
        {
            LogLostLeadership(lease.Epoch);
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
                LogLeaseLapsed(lease.Epoch);
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
                LogRedisFailed("sequence", ex.Message);
                await Task.Delay(o.IdlePollInterval * 10, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (batch.Status != SequenceStatus.Ok)
            {
                metrics.Fenced();
                LogFenced(lease.Epoch, batch.Status);
                return;
            }

            metrics.Batch(batch, time.GetElapsedTime(started), time.GetUtcNow());
            TraceEmitted(batch, now);
            if (gaps.Observe(batch.NextSeq, batch.BufferDepth))
            {
                LogGap(batch.NextSeq, gaps.Current.TotalSeconds, batch.BufferDepth);
            }

            metrics.Gap(gaps.Current);
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
                    metrics.Backlog(await store.BacklogAsync().WaitAsync(leading).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    metrics.Backlog(null);
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
                        LogLockTaken(lease.Epoch);
                        await leadership.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    lease.Renewed(sentAt);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    metrics.RenewalMissed();
                    LogRenewalMissed(lease.Epoch, ex.Message);
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

            using var activity = SequencerTelemetry.Source.StartActivity($"sequence {result.Seq}", ActivityKind.Producer, parent, startTime: started);
            activity?.SetTag("messaging.system", "redis");
            activity?.SetTag("messaging.message.id", result.Seq);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sequencer {Token} is standing by")]
    private partial void LogStandby(string token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sequencer {Token} is the leader with epoch {Epoch}")]
    private partial void LogLeader(string token, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the lock of epoch {Epoch} on stop (held: {Released})")]
    private partial void LogReleased(long epoch, bool released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the leadership of epoch {Epoch}; standing by")]
    private partial void LogLostLeadership(long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of epoch {Epoch} lapsed before it could be renewed; stopped emitting")]
    private partial void LogLeaseLapsed(long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sequence script refused epoch {Epoch}: {Status}")]
    private partial void LogFenced(long epoch, SequenceStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lock of epoch {Epoch} is held by another sequencer")]
    private partial void LogLockTaken(long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lock renewal for epoch {Epoch} missed: {Error}")]
    private partial void LogRenewalMissed(long epoch, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Seq {NextSeq} has been missing for {Seconds:0.0} s while {Waiting} later results wait")]
    private partial void LogGap(long nextSeq, double seconds, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for results on the blocking connection failed ({Error}); polling every {PollMs} ms until it works again")]
    private partial void LogBlockingWaitFailed(string error, double pollMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis call '{Call}' failed: {Error}")]
    private partial void LogRedisFailed(string call, string error);
}
