using System.Diagnostics;
using QueueLab.Lab;
using QueueLab.Lab.Network;
using QueueLab.Rabbit;
using QueueLab.Testing;
using RabbitMQ.Client;
using Shouldly;

namespace QueueLab.RabbitPipeline.Tests;

/// <summary>
/// The confirm channel the publisher and the consumers' republisher share, against the lab's RabbitMQ through a fault
/// proxy: a confirm that does not come in time fails the publish (it never waits for ever, which would hold a
/// consumer's delivery with it), and the next publish works on a new channel.
/// </summary>
[Collection(Phase2Collection.Name)]
public sealed class ConfirmChannelTests(Phase2Fixture lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_confirm_that_does_not_come_in_time_fails_the_publish_and_the_next_one_opens_a_new_channel()
    {
        var queue = $"confirm-test-{Guid.NewGuid():N}";
        await using (var setup = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct))
        {
            await setup.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: Ct);
        }

        var direct = new Uri(await lab.GetConnectionStringAsync(ResourceNames.Messaging));
        await using var proxy = new TcpFaultProxy("messaging-test", 0, direct.Port);
        proxy.Start();
        var factory = new ConnectionFactory { Uri = new UriBuilder(direct) { Port = proxy.ListenPort }.Uri };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var confirms = new ConfirmChannel(connection);
        var properties = new BasicProperties { Persistent = true };
        var timeout = TimeSpan.FromMilliseconds(300);

        await confirms.PublishAsync("", queue, properties, new byte[] { 1 }, timeout, Ct);

        proxy.Delay(TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        var failure = await Should.ThrowAsync<TimeoutException>(() => confirms.PublishAsync("", queue, properties, new byte[] { 2 }, timeout, Ct));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3), "the publish must give up at its timeout, not when the late confirm comes");
        failure.Message.ShouldContain("outcome is unknown");

        proxy.Restore();
        await confirms.PublishAsync("", queue, properties, new byte[] { 3 }, TimeSpan.FromSeconds(10), Ct);

        // The late publish reached the queue too (its outcome was unknown, not failed): 3 messages in all.
        await using var check = await lab.Rabbit.CreateChannelAsync(cancellationToken: Ct);
        await Poll.UntilAsync(async () => (await check.QueueDeclarePassiveAsync(queue, Ct)).MessageCount == 3,
            TimeSpan.FromSeconds(15), "all three publishes are in the queue", cancellationToken: Ct);
        await check.QueueDeleteAsync(queue, cancellationToken: Ct);
    }
}
