using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using QueueLab.Lab.Network;
using Shouldly;

namespace QueueLab.Lab.Tests;

/// <summary>The fault proxy between a client and a small echo server on loopback (real sockets, no lab needed).</summary>
public sealed class TcpFaultProxyTests : IAsyncLifetime
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private TcpFaultProxy _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _echo.Start();
        _ = EchoAsync(_stop.Token);
        _proxy = new TcpFaultProxy("echo", 0, ((IPEndPoint)_echo.LocalEndpoint).Port);
        _proxy.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _proxy.DisposeAsync();
        _echo.Stop();
        _stop.Dispose();
    }

    [Fact]
    public async Task Passes_bytes_both_ways()
    {
        using var client = await ConnectAsync();

        (await RoundTripAsync(client, "hello")).ShouldBe("hello");
        _proxy.BytesForwarded.ShouldBeGreaterThanOrEqualTo(10);
    }

    [Fact]
    public async Task Delay_holds_each_direction_back_by_the_latency()
    {
        using var client = await ConnectAsync();
        await RoundTripAsync(client, "warm");
        _proxy.Delay(TimeSpan.FromMilliseconds(150));

        var clock = Stopwatch.StartNew();
        (await RoundTripAsync(client, "slow")).ShouldBe("slow");

        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290), "150 ms there and 150 ms back");
    }

    [Fact]
    public async Task Cut_resets_open_connections_and_refuses_new_ones_until_restored()
    {
        using var client = await ConnectAsync();
        await RoundTripAsync(client, "before");

        _proxy.Cut();

        await Should.ThrowAsync<Exception>(async () => await RoundTripAsync(client, "during"));
        await Should.ThrowAsync<Exception>(async () =>
        {
            using var refused = await ConnectAsync();
            await RoundTripAsync(refused, "new");
        });

        _proxy.Restore();
        using var again = await ConnectAsync();
        (await RoundTripAsync(again, "after")).ShouldBe("after");
    }

    [Fact]
    public async Task Drop_black_holes_the_traffic_and_restore_resets_what_it_damaged()
    {
        using var client = await ConnectAsync();
        await RoundTripAsync(client, "before");

        _proxy.Drop();
        var stream = client.GetStream();
        await stream.WriteAsync("lost"u8.ToArray(), TestContext.Current.CancellationToken);
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Should.ThrowAsync<OperationCanceledException>(async () => await stream.ReadAtLeastAsync(new byte[16], 1, throwOnEndOfStream: true, quiet.Token));

        _proxy.Restore();
        await Poll.UntilAsync(() => _proxy.OpenConnections == 0, TimeSpan.FromSeconds(5), "the damaged connection is reset", cancellationToken: TestContext.Current.CancellationToken);
        using var again = await ConnectAsync();
        (await RoundTripAsync(again, "after")).ShouldBe("after");
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _proxy.ListenPort, TestContext.Current.CancellationToken);
        return client;
    }

    private static async Task<string> RoundTripAsync(TcpClient client, string text)
    {
        var stream = client.GetStream();
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        await stream.WriteAsync(bytes);
        var buffer = new byte[bytes.Length];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                throw new IOException("closed");
            }

            read += n;
        }

        return System.Text.Encoding.UTF8.GetString(buffer);
    }

    private async Task EchoAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _echo.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[1024];
                    try
                    {
                        int n;
                        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
                        }
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                    {
                        // The test is done with this connection.
                    }
                }
            }, cancellationToken);
        }
    }
}
