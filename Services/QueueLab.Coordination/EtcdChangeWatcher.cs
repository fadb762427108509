using System.Runtime.CompilerServices;
using System.Threading.Channels;
using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace QueueLab.Coordination;

/// <summary>
/// Tells its reader when to read the state again: once the watch is established (<see cref="ChangeTrigger.Initial"/>),
/// on every change to a watched key, after a reconnection (etcd restarted, events may be lost), and every
/// <see cref="CoordinationOptions.ReconcileInterval"/> regardless. Readers always read the full state, so a trigger
/// that is coalesced with another, or a missed event, only delays a change until the next trigger. The watch is
/// established before the first trigger, so nothing written after the first read goes unnoticed.
/// </summary>
public sealed partial class EtcdChangeWatcher(EtcdClient etcd, EtcdConnection connection, EtcdCalls calls, ILogger<EtcdChangeWatcher> logger)
{
    public async IAsyncEnumerable<ChangeTrigger> WatchAsync(
        IReadOnlyList<WatchTarget> targets, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        var triggers = Channel.CreateBounded<ChangeTrigger>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(() => PumpAsync(targets, triggers.Writer, running.Token), CancellationToken.None);
        var ticker = Task.Run(() => TickAsync(triggers.Writer, running.Token), CancellationToken.None);
        try
        {
            while (await triggers.Reader.WaitToReadAsync(cancellationToken))
            {
                while (triggers.Reader.TryRead(out var trigger))
                {
                    yield return trigger;
                }
            }
        }
        finally
        {
            await running.CancelAsync();
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ticker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task TickAsync(ChannelWriter<ChangeTrigger> writer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(calls.Options.ReconcileInterval, calls.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            writer.TryWrite(ChangeTrigger.Reconcile);
        }
    }

    private async Task PumpAsync(IReadOnlyList<WatchTarget> targets, ChannelWriter<ChangeTrigger> writer, CancellationToken cancellationToken)
    {
        var established = false;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = etcd.GetConnection().WatchClient.Watch(cancellationToken: cancellationToken);
                foreach (var target in targets)
                {
                    await call.RequestStream.WriteAsync(new WatchRequest
                    {
                        CreateRequest = new WatchCreateRequest
                        {
                            Key = CoordinationKeys.Bytes(target.Key),
                            RangeEnd = target.IsPrefix ? CoordinationKeys.RangeEnd(target.Key) : Google.Protobuf.ByteString.Empty,
                        },
                    }, cancellationToken);
                }

                var created = 0;
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var response = call.ResponseStream.Current;
                    if (response.Canceled)
                    {
                        if (IsRefusedToken(response.CancelReason))
                        {
                            // A watch opened with a token etcd forgot (it restarted) is cancelled, not refused with
                            // Unauthenticated, so the client would keep that token: make it authenticate again.
                            connection.RenewToken(etcd);
                        }

                        throw new InvalidOperationException($"etcd cancelled the watch: {response.CancelReason}");
                    }

                    if (response.Created && ++created == targets.Count)
                    {
                        writer.TryWrite(established ? ChangeTrigger.Reconnected : ChangeTrigger.Initial);
                        if (established)
                        {
                            LogReconnected(logger, attempt);
                        }

                        established = true;
                        attempt = 0;
                    }

                    if (response.Events.Count > 0)
                    {
                        writer.TryWrite(ChangeTrigger.Changed);
                    }
                }

                throw new RpcException(new Status(StatusCode.Unavailable, "The watch stream ended."));
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(logger, ++attempt, ex);
                try
                {
                    await Task.Delay(calls.RetryDelay(attempt), calls.Time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>etcd 3.4 cancels a watch created with an invalid token with <c>... code = Unauthenticated desc =
    /// etcdserver: invalid auth token</c> (older servers: <c>permission denied</c>, which root never gets otherwise).</summary>
    private static bool IsRefusedToken(string reason) =>
        reason.Contains("auth token", StringComparison.OrdinalIgnoreCase)
        || reason.Contains("Unauthenticated", StringComparison.OrdinalIgnoreCase)
        || reason.Contains("permission denied", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The etcd watch failed (attempt {Attempt}); reconnecting")]
    private static partial void LogWatchFailed(ILogger logger, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The etcd watch is re-established after {Attempts} failed attempts; re-reading the state")]
    private static partial void LogReconnected(ILogger logger, int attempts);
}
