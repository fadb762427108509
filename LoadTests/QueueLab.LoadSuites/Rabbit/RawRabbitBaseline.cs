using System.Diagnostics;
using System.Globalization;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace QueueLab.LoadSuites.Rabbit;

/// <summary>The raw RabbitMQ baseline's figures.</summary>
public sealed record RabbitBaselineResult(int Messages, TimeSpan Published, TimeSpan Total, int Consumed, TimeSpan P50, TimeSpan P99)
{
    /// <summary>Publish (with confirms) and consume, end to end: messages per second.</summary>
    public double Throughput => Total > TimeSpan.Zero ? Consumed / Total.TotalSeconds : 0;

    public double PublishThroughput => Published > TimeSpan.Zero ? Messages / Published.TotalSeconds : 0;
}

/// <summary>
/// Raw RabbitMQ on the same broker in the same run: the same messages (headers, body, persistent) published with
/// confirms through the same bounded window to one durable quorum queue (the pipeline's queue type), consumed by one
/// consumer with manual acks (prefetch 512, as the pipeline's consumers, and one ack per message); no dedup, no
/// database. The time runs from the first publish to the last delivery.
/// </summary>
public static class RawRabbitBaseline
{
    public const ushort Prefetch = 512;

    /// <summary>
    /// The fewest messages the baseline sends, whatever the pipeline's run: a quarter of a second or more at the 20,000
    /// msg/s this kind of machine reaches, so its figure is steady and its CPU is measured (/proc counts in 10 ms steps:
    /// 300 messages took 15 ms and showed RabbitMQ at 0 s).
    /// </summary>
    public const int MinimumMessages = 5_000;

    /// <summary>
    /// Runs the baseline. <paramref name="measure"/>, if given, is called just before the first publish and returns what
    /// to call once the last message is consumed: a CPU profile covers the publishing and consuming, not the queue's
    /// declaration and deletion.
    /// </summary>
    public static async Task<RabbitBaselineResult> RunAsync(IConnection connection, int messages, int window, CancellationToken cancellationToken, Func<Action>? measure = null)
    {
        var queue = $"queuelab.loadtest.raw-{Guid.NewGuid():N}";
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection, window, cancellationToken).ConfigureAwait(false);
        await publisher.Channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var sentAt = new long[messages];
            var latencies = new double[messages];
            var received = 0;
            var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var consumerChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await consumerChannel.BasicQosAsync(0, Prefetch, false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(consumerChannel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                var now = Stopwatch.GetTimestamp();
                await consumerChannel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
                var id = delivery.BasicProperties.MessageId ?? "";
                var n = Interlocked.Increment(ref received);
                if (int.TryParse(id.AsSpan(id.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < messages)
                {
                    latencies[n - 1] = Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[index]), now).TotalMilliseconds;
                }

                if (n == messages)
                {
                    all.TrySetResult();
                }
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);

            var measured = measure?.Invoke();
            var clock = Stopwatch.StartNew();
            var publishes = new Task[messages];
            for (var i = 0; i < messages; i++)
            {
                var messageId = $"raw-{i}";
                var properties = new BasicProperties
                {
                    MessageId = messageId,
                    Persistent = true,
                    ContentType = "application/json",
                    Headers = MessageFactory.Headers(messageId, StateTransitions.Validate),
                };
                var body = MessageFactory.Body(new MessageBody("load", 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                Volatile.Write(ref sentAt[i], Stopwatch.GetTimestamp());
                publishes[i] = publisher.PublishAsync("", queue, properties, body, cancellationToken);
            }

            await Task.WhenAll(publishes).ConfigureAwait(false);
            var published = clock.Elapsed;
            await all.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            var total = clock.Elapsed;
            measured?.Invoke();
            Array.Sort(latencies);
            return new RabbitBaselineResult(messages, published, total, received,
                TimeSpan.FromMilliseconds(latencies[(int)(0.50 * (messages - 1))]), TimeSpan.FromMilliseconds(latencies[(int)(0.99 * (messages - 1))]));
        }
        finally
        {
            await publisher.Channel.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }
}
