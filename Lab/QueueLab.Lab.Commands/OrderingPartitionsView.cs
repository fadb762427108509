using System.Collections.Immutable;
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QueueLab.Lab.Ordering;
using QueueLab.Lab.Resources;
using QueueLab.Lab.Setup;
using QueueLab.Ordering;
using QueueLab.Ordering.Redis;
using StackExchange.Redis;

namespace QueueLab.Lab.Commands;

/// <summary>
/// Shows each partition of pipeline B on the dashboard, in the <c>ordering</c> resource's properties, refreshed every
/// second: which sequencer replica leads it (with its fencing epoch), how far it is (its next seq; per key, the ids it
/// has passed) and its lag (messages pushed and not yet passed: input, in flight, unread results, reorder buffer,
/// quarantine). One read per partition per second, so an idle lab pays next to nothing for it.
/// </summary>
public sealed class OrderingPartitionsView(IServiceProvider services, IResource pipeline, OrderingSetup shape) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The property of partition <paramref name="partition"/> (unpartitioned: the one sequencer lock).</summary>
    public static string PropertyName(int partition, int partitions) =>
        partitions == 1 ? "Sequencer leader and lag" : $"Partition {partition.ToString(CultureInfo.InvariantCulture)}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var resources = services.GetRequiredService<LabResources>();
        try
        {
            await notifications.WaitForResourceHealthyAsync(ResourceNames.Cache, stoppingToken).ConfigureAwait(false);
            await using var probe = await OrderingProbe.ConnectAsync(await resources.ConnectionStringAsync(ResourceNames.Cache, stoppingToken).ConfigureAwait(false),
                clientName: "queuelab-apphost-view", partitions: shape.Partitions, mode: shape.Mode).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Interval);
            do
            {
                var rows = await DescribeAsync(probe, resources).ConfigureAwait(false);
                await notifications.PublishUpdateAsync(pipeline, s => s with { Properties = Merge(s.Properties, rows) }).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<IReadOnlyList<ResourcePropertySnapshot>> DescribeAsync(OrderingProbe probe, LabResources resources)
    {
        var rows = new List<ResourcePropertySnapshot>(probe.Partitions.Count);
        foreach (var keys in probe.Partitions)
        {
            string text;
            try
            {
                text = await DescribeAsync(probe, keys, resources).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                text = $"unreadable: {ex.Message}";
            }

            rows.Add(new ResourcePropertySnapshot(PropertyName(keys.Partition, probe.Partitions.Count), text));
        }

        return rows;
    }

    private static async Task<string> DescribeAsync(OrderingProbe probe, OrderingKeys keys, LabResources resources)
    {
        var token = await probe.LeaderAsync(keys.Partition).ConfigureAwait(false);
        var leader = token is null ? "no leader" : $"leader {resources.ReplicaOf(ResourceNames.Sequencer, token)?.InstanceId ?? token}";
        var epoch = await probe.Db.StringGetAsync(keys.SequencerEpoch).ConfigureAwait(false);
        var next = await probe.Db.StringGetAsync(keys.NextSeq).ConfigureAwait(false);
        var backlog = await OrderingAdmin.BacklogAsync(probe.Db, keys).ConfigureAwait(false);
        var progress = keys.PerKey
            ? $"{(next.IsNull ? 0 : (long)next - 1)} passed over {await probe.Db.HashLengthAsync(keys.NextSeqs).ConfigureAwait(false)} keys"
            : $"next seq {(next.IsNull ? keys.FirstSeq : (long)next)}";
        return $"{leader}{(epoch.IsNull ? "" : $" (epoch {epoch})")}; lag {backlog.OutputLag} (input {backlog.Input}, in flight {backlog.InFlight}, "
            + $"unread {backlog.Results}, reorder buffer {backlog.ReorderBuffer}, quarantine {backlog.Quarantine}); {progress}";
    }

    /// <summary>The properties with <paramref name="rows"/> set (replacing the ones of the same names).</summary>
    private static ImmutableArray<ResourcePropertySnapshot> Merge(ImmutableArray<ResourcePropertySnapshot> properties, IReadOnlyList<ResourcePropertySnapshot> rows)
    {
        var names = rows.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        return [.. properties.Where(p => !names.Contains(p.Name)), .. rows];
    }
}
