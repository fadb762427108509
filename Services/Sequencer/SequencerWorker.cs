using Microsoft.Extensions.Options;
using QueueLab.Ordering;
using QueueLab.Ordering.Options;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Sequencer;

/// <summary>
/// The sequencer process: subscribes to every partition's release announcements, warms the sequence script up, says
/// every second that it is up and ready to lead, and runs one <see cref="PartitionLeadership"/> per partition, each
/// competing for its partition's fenced lock. So S sequencers share P partitions evenly: a sequencer that leads more than
/// ceil(P / S) hands one partition over (release and announce, at most one per second, and only one it has led for
/// longer than an announcement lasts, so a dead sequencer's lingering announcement never draws a partition to it).
/// Unpartitioned, that is the one lock of before: one leader and hot standbys.
/// </summary>
public sealed partial class SequencerWorker(
    SequencerLanes lanes,
    IConnectionMultiplexer redis,
    SequencerIdentity identity,
    IOptions<SequencerOptions> options,
    SequencerReadiness readiness,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SequencerWorker> logger) : BackgroundService
{
    /// <summary>How long a sequencer's announcement says it is ready (it renews it every second).</summary>
    public static readonly TimeSpan AnnouncementValidity = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // Hand over as soon as the host begins to stop (ApplicationStopping fires before any hosted service is stopped),
        // not after the web server has drained its connections: a graceful stop of the leader must not make the
        // standby wait (measured by the chaos suite's graceful-stop scenario).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        var subscriber = redis.GetSubscriber();
        var presence = Task.CompletedTask;
        try
        {
            foreach (var lane in lanes.All)
            {
                await SubscribeAsync(subscriber, lane, stoppingToken).ConfigureAwait(false);
            }

            foreach (var lane in lanes.All)
            {
                await WarmUpAsync(lane.Store, stoppingToken).ConfigureAwait(false);
            }

            readiness.MarkReady();
            presence = AnnounceAsync(stoppingToken);
            LogStandby(identity.Token, lanes.All.Count);
            await Task.WhenAll(lanes.All.Select(lane => RunLaneAsync(lane, stoppingToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await presence.ConfigureAwait(false);
            try
            {
                await lanes.Shared.WithdrawAsync(identity.Token).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("withdraw", ex.Message);
            }

            foreach (var lane in lanes.All)
            {
                try
                {
                    await subscriber.UnsubscribeAsync(lane.Store.Keys.SequencerReleased).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    LogRedisFailed("unsubscribe", ex.Message);
                }
            }
        }
    }

    private static async Task RunLaneAsync(PartitionLeadership lane, CancellationToken stoppingToken)
    {
        try
        {
            await lane.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A standby runs the sequence script once per partition with a token that cannot hold the lock (it is refused
    /// without touching anything), so the script is cached in Redis (on every shard) and the call path is compiled
    /// before a failover needs it.
    /// </summary>
    private async Task WarmUpAsync(SequencerStore store, CancellationToken stoppingToken)
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
    /// seconds (a standby as much as the leader): how many could take over is there to read, for the dashboard, for a
    /// test that must not fail a leader over to a process that is still starting, and for the partitions' fair share.
    /// With partitions, hands one over when it leads more than its share.</summary>
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
                    await lanes.Shared.AnnounceAsync(identity.Token, now + AnnouncementValidity, now).WaitAsync(stoppingToken).ConfigureAwait(false);
                    if (lanes.All.Count > 1)
                    {
                        lanes.Share.ReadySequencers(await lanes.Shared.ReadyAsync(now).WaitAsync(stoppingToken).ConfigureAwait(false));
                        Rebalance();
                    }
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

    private void Rebalance()
    {
        var share = lanes.Share;
        if (!share.AboveShare)
        {
            return;
        }

        // The partition led the shortest time among those led longer than an announcement lasts.
        var candidate = lanes.All.Where(l => l.Leading && l.LeadingFor > AnnouncementValidity).OrderBy(l => l.LeadingFor).FirstOrDefault();
        if (candidate is not null)
        {
            LogRebalancing(candidate.Partition, share.Held, share.Share);
            candidate.HandOver();
        }
    }

    private async Task SubscribeAsync(ISubscriber subscriber, PartitionLeadership lane, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await subscriber.SubscribeAsync(lane.Store.Keys.SequencerReleased, (_, _) => lane.Wake()).WaitAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed("subscribe", ex.Message);
                await Task.Delay(options.Value.AcquireInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sequencer {Token} is standing by for {Partitions} partition(s)")]
    private partial void LogStandby(string token, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading {Held} partitions, more than the fair share of {Share}: handing partition {Partition} over")]
    private partial void LogRebalancing(int partition, int held, int share);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis call '{Call}' failed: {Error}")]
    private partial void LogRedisFailed(string call, string error);
}
