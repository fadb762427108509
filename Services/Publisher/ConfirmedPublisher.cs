using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using QueueLab.Rabbit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace QueueLab.Publisher;

/// <summary>
/// Publishes with publisher confirms and a bounded window of outstanding confirms: up to
/// <see cref="PublisherOptions.ConfirmWindow"/> publishes wait for their confirm at once (the client's own limiter,
/// which rejects past its limit, is turned off; this window is the limit). A message counts only once confirmed; a
/// nack, a confirm timeout or a lost channel is retried up to <see cref="PublisherOptions.MaxAttempts"/>.
/// </summary>
public sealed partial class ConfirmedPublisher(
    IConnection connection, IOptions<PublisherOptions> options, PublisherTelemetry telemetry, TimeProvider time,
    ILogger<ConfirmedPublisher> logger) : IAsyncDisposable
{
    private readonly PublisherOptions _options = options.Value;
    private readonly SemaphoreSlim _window = new(options.Value.ConfirmWindow, options.Value.ConfirmWindow);
    private readonly ConfirmChannel _channel = new(connection, time);

    public async Task<PublishOutcome> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var messageId = string.IsNullOrWhiteSpace(request.MessageId) ? Guid.CreateVersion7().ToString() : request.MessageId;
        if (MessageIds.Problem(messageId) is { } idProblem)
        {
            // The consumer would dead-letter it (invalid-header): say so now instead.
            return new(Printable.Escape(messageId, 128), PublishStatus.Rejected, 0, $"The message id {idProblem}.");
        }

        if (!LabTopology.Exchanges.ContainsKey(request.Exchange))
        {
            return new(messageId, PublishStatus.Rejected, 0,
                $"Exchange '{request.Exchange}' is not one of {string.Join(", ", LabTopology.Exchanges.Keys)}.");
        }

        var transition = StateTransitions.From(request.CurrentState ?? StateTransitions.Validate.Current);
        if (transition is null)
        {
            return new(messageId, PublishStatus.Rejected, 0,
                $"State '{request.CurrentState}' starts no transition; use one of {string.Join(", ", StateTransitions.All.Select(t => t.Current))}.");
        }

        var body = MessageFactory.Body(new MessageBody(request.Payload, request.FailTimes, time.GetUtcNow().ToUnixTimeMilliseconds()));
        string? lastError = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (status, error) = await PublishOnceAsync(request, messageId, transition, body, cancellationToken);
            if (status is PublishStatus.Confirmed or PublishStatus.Unroutable)
            {
                return new(messageId, status, attempt, error);
            }

            lastError = error;
            LogRetrying(logger, messageId, attempt, error);
            await Task.Delay(_options.RetryDelay, time, cancellationToken);
        }

        telemetry.Failed(request.Exchange);
        LogGaveUp(logger, messageId, _options.MaxAttempts, lastError);
        return new(messageId, PublishStatus.Failed, _options.MaxAttempts, lastError);
    }

    public async Task<BatchOutcome> PublishBatchAsync(IReadOnlyList<PublishRequest> requests, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var failures = new ConcurrentBag<PublishOutcome>();
        int confirmed = 0, unroutable = 0, failed = 0, rejected = 0, retries = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.ConfirmWindow, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(requests, parallel, async (request, ct) =>
        {
            var outcome = await PublishAsync(request, ct);
            Interlocked.Add(ref retries, Math.Max(0, outcome.Attempts - 1));
            switch (outcome.Status)
            {
                case PublishStatus.Confirmed: Interlocked.Increment(ref confirmed); return;
                case PublishStatus.Unroutable: Interlocked.Increment(ref unroutable); break;
                case PublishStatus.Failed: Interlocked.Increment(ref failed); break;
                default: Interlocked.Increment(ref rejected); break;
            }

            failures.Add(outcome);
        });

        return new(requests.Count, confirmed, unroutable, failed, rejected, retries,
            time.GetElapsedTime(started).TotalMilliseconds, [.. failures]);
    }

    private async Task<(PublishStatus Status, string? Error)> PublishOnceAsync(
        PublishRequest request, string messageId, StateTransition transition, byte[] body, CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken);
        try
        {
            using var activity = PublisherTelemetry.ActivitySource.StartActivity($"publish {request.Exchange}", ActivityKind.Producer);
            activity?.SetTag("messaging.system", "rabbitmq");
            activity?.SetTag("messaging.operation.type", "send");
            activity?.SetTag("messaging.destination.name", request.Exchange);
            activity?.SetTag("messaging.rabbitmq.destination.routing_key", request.RoutingKey);
            activity?.SetTag("messaging.message.id", messageId);

            var headers = MessageFactory.Headers(messageId, transition);
            headers[MessageHeaders.PublishedAt] = time.GetUtcNow().ToUnixTimeMilliseconds();
            TraceContext.Inject(activity, headers);
            var properties = new BasicProperties
            {
                MessageId = messageId,
                Persistent = true,
                ContentType = "application/json",
                Headers = headers,
                Timestamp = new AmqpTimestamp(time.GetUtcNow().ToUnixTimeSeconds()),
            };

            var sent = time.GetTimestamp();
            telemetry.Published(request.Exchange);
            try
            {
                await _channel.PublishAsync(request.Exchange, request.RoutingKey, properties, body, _options.ConfirmTimeout, cancellationToken);
                telemetry.Confirmed(request.Exchange, time.GetElapsedTime(sent));
                return (PublishStatus.Confirmed, null);
            }
            catch (PublishException ex) when (ex.IsReturn)
            {
                telemetry.Returned(request.Exchange);
                activity?.SetStatus(ActivityStatusCode.Error, "unroutable");
                return (PublishStatus.Unroutable, $"No queue is bound to {request.Exchange} for routing key '{request.RoutingKey}'.");
            }
            catch (PublishException)
            {
                telemetry.Nacked(request.Exchange);
                activity?.SetStatus(ActivityStatusCode.Error, "nacked");
                return (PublishStatus.Failed, "The broker nacked the publish.");
            }
            catch (TimeoutException)
            {
                telemetry.TimedOut(request.Exchange);
                activity?.SetStatus(ActivityStatusCode.Error, "confirm timeout");
                return (PublishStatus.Failed, $"No confirm within {_options.ConfirmTimeout.TotalMilliseconds:0} ms.");
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                return (PublishStatus.Failed, $"The channel failed: {ex.Message}");
            }
        }
        finally
        {
            _window.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        _window.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish of {MessageId} attempt {Attempt} not confirmed ({Error}); retrying")]
    private static partial void LogRetrying(ILogger logger, string messageId, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publish of {MessageId} failed after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string messageId, int attempts, string? error);
}
